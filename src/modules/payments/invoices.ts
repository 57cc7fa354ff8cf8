import { sql } from 'kysely';
import { publish } from '../../platform/bus/publish.ts';
import { notFound, validationError } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor, type Page } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { displayNames } from '../users/index.ts';
import type { PaymentsContext } from './context.ts';
import type { InvoiceLine, InvoiceRow, PaymentsTrx, Provider } from './tables.ts';

/** A paid period, as a provider reports it. */
export interface PaidPeriod {
  userId: string;
  provider: Provider;
  /** Unique per provider (Stripe `in_...`, Apple transaction id, sandbox session): a repeat issues nothing. */
  providerRef: string;
  subscriptionId: string | null;
  planId: string;
  planName: string;
  currency: string;
  /** What was paid, tax included, in minor units. */
  totalMinor: number;
  periodStart: Date | null;
  periodEnd: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const formatMoney = (minor: number, currency: string) => `${currency} ${(minor / 100).toFixed(2)}`;

/**
 * Issues the invoice of a paid period, numbered in its seller's series with
 * no gap: the counter row of the seller is locked first (concurrent issuers
 * wait for each other), then a repeat of the same period is looked for, then
 * the next number is taken and the invoice written, all in the caller's
 * transaction. A rollback releases the number with everything else.
 */
export async function issueInvoice(
  trx: PaymentsTrx,
  ctx: PaymentsContext,
  paid: PaidPeriod,
): Promise<InvoiceRow | undefined> {
  const seller = ctx.config.seller;
  await trx
    .insertInto('payments_invoice_counters')
    .values({ seller_id: seller.id, last_number: 0 })
    .onConflict((oc) => oc.column('seller_id').doNothing())
    .execute();
  await trx
    .selectFrom('payments_invoice_counters')
    .select('last_number')
    .where('seller_id', '=', seller.id)
    .forUpdate()
    .execute();
  const repeat = await trx
    .selectFrom('payments_invoices')
    .select('id')
    .where('provider', '=', paid.provider)
    .where('provider_ref', '=', paid.providerRef)
    .executeTakeFirst();
  if (repeat) return undefined;
  const counter = await trx
    .updateTable('payments_invoice_counters')
    .set({ last_number: sql`last_number + 1` })
    .where('seller_id', '=', seller.id)
    .returning('last_number')
    .executeTakeFirstOrThrow();
  const sequence = Number(counter.last_number);
  const issuedAt = new Date();
  const number = `${seller.invoicePrefix}-${issuedAt.getUTCFullYear()}-${String(sequence).padStart(6, '0')}`;
  const subtotal = Math.round((paid.totalMinor * 10_000) / (10_000 + seller.taxRateBp));
  const lines: InvoiceLine[] = [
    { description: paid.planName, quantity: 1, unitMinor: subtotal, totalMinor: subtotal },
  ];
  const buyer = (await displayNames(trx, [paid.userId])).get(paid.userId) ?? 'Customer';
  const invoice = await trx
    .insertInto('payments_invoices')
    .values({
      user_id: paid.userId,
      id: newId(),
      seller_id: seller.id,
      number,
      sequence,
      provider: paid.provider,
      provider_ref: paid.providerRef,
      subscription_id: paid.subscriptionId,
      plan_id: paid.planId,
      buyer_name: buyer,
      currency: paid.currency,
      subtotal_minor: subtotal,
      tax_minor: paid.totalMinor - subtotal,
      total_minor: paid.totalMinor,
      tax_rate_bp: seller.taxRateBp,
      period_start: paid.periodStart,
      period_end: paid.periodEnd,
      seller: JSON.stringify({ name: seller.name, address: seller.address, taxId: seller.taxId }),
      lines: JSON.stringify(lines),
      issued_at: issuedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await publish(
    trx,
    'payment.invoice-issued',
    {
      invoiceId: invoice.id,
      userId: invoice.user_id,
      number: invoice.number,
      totalMinor: invoice.total_minor,
      currency: invoice.currency,
      total: formatMoney(invoice.total_minor, invoice.currency),
    },
    { actorId: invoice.user_id },
  );
  return invoice;
}

export function invoiceView(row: InvoiceRow) {
  return {
    id: row.id,
    number: row.number,
    planId: row.plan_id,
    provider: row.provider,
    currency: row.currency,
    subtotalMinor: row.subtotal_minor,
    taxMinor: row.tax_minor,
    totalMinor: row.total_minor,
    taxRateBp: row.tax_rate_bp,
    periodStart: row.period_start?.toISOString() ?? null,
    periodEnd: row.period_end?.toISOString() ?? null,
    issuedAt: row.issued_at.toISOString(),
    pdfUrl: `/v1/billing/invoices/${row.id}.pdf`,
  };
}

/** The caller's invoices, newest first. */
export async function listInvoices(
  ctx: PaymentsContext,
  userId: string,
  query: { limit?: number; cursor?: string },
): Promise<Page<ReturnType<typeof invoiceView>>> {
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
  if (after && !UUID.test(after.id)) throw validationError('cursor is not valid', 'cursor');
  const rows = await ctx.db
    .selectFrom('payments_invoices')
    .selectAll()
    .where('user_id', '=', userId)
    .$if(after !== undefined, (qb) => qb.where('id', '<', after!.id))
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit);
  return {
    items: items.map(invoiceView),
    nextCursor: rows.length > limit ? encodeCursor({ id: items.at(-1)!.id }) : null,
  };
}

/** One of the caller's invoices (404 for anyone else's). */
export async function invoiceOf(ctx: PaymentsContext, userId: string, id: string): Promise<InvoiceRow> {
  const row = await ctx.db
    .selectFrom('payments_invoices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Invoice', id);
  return row;
}
