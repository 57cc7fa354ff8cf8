import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { Enveloped, EnvelopedPage, ErrorResponse, Redirect } from '../../platform/http/envelope.ts';
import { conflict, notFound, validationError } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { AppleProvider } from './apple.ts';
import type { PaymentsContext } from './context.ts';
import type { GoogleProvider } from './google.ts';
import { invoiceOf, listInvoices } from './invoices.ts';
import { invoicePdf } from './pdf.ts';
import { listPlans } from './plans.ts';
import { completeSandbox, failSandbox, sandboxPage, sandboxPagePath } from './sandbox.ts';
import * as s from './schemas.ts';
import { checkout, myEntitlements } from './service.ts';
import type { StripeProvider } from './stripe.ts';

const tags = ['billing'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };
const user = { onRequest: requireAuth };

export interface RoutesOptions {
  ctx: PaymentsContext;
  stripe: StripeProvider | undefined;
  apple: AppleProvider | undefined;
  google: GoogleProvider | undefined;
}

/** /v1/billing: plans, entitlements, checkout, portal, invoices. */
export const billingRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (
  app,
  { ctx, stripe, apple, google },
) => {
  app.post(
    '/billing/webhooks/google',
    {
      // The bearer token is Google's (Pub/Sub push OIDC), not one of our access tokens.
      config: { ownBearer: true },
      schema: {
        tags: ['billing-webhooks'],
        summary: 'Google Play RTDN through a Pub/Sub push (OIDC token verified; the purchase is re-read)',
        headers: Type.Object({
          authorization: Type.Optional(Type.String({ description: 'Bearer OIDC token signed by Google' })),
        }),
        body: s.GooglePushBody,
        // 404 while the provider is not configured.
        response: { 200: Enveloped(s.WebhookAnswer), 404: ErrorResponse, ...errors },
      },
    },
    async (request) => {
      if (!google) throw notFound('Google Play webhook (GOOGLE_* is not configured)');
      return google.push(request.headers.authorization, request.body);
    },
  );

  app.post(
    '/billing/webhooks/apple',
    {
      schema: {
        tags: ['billing-webhooks'],
        summary: 'App Store Server Notifications v2 (JWS verified against Apple’s certificate chain)',
        body: s.AppleNotificationBody,
        // 404 while the provider is not configured.
        response: { 200: Enveloped(s.WebhookAnswer), 404: ErrorResponse, ...errors },
      },
    },
    async (request) => {
      if (!apple) throw notFound('App Store webhook (APPLE_* is not configured)');
      return apple.notification(request.body.signedPayload);
    },
  );

  app.get(
    '/billing/plans',
    { schema: { tags, summary: 'Plans and their prices', response: { 200: Enveloped(Type.Array(s.Plan)) } } },
    async () => listPlans(ctx),
  );

  app.get(
    '/billing/entitlements',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'What you may use: premium from your or your partner’s subscription',
        response: { 200: Enveloped(s.Entitlements), ...errors },
      },
    },
    async (request) => myEntitlements(ctx, callerOf(request).id),
  );

  app.post(
    '/billing/checkout',
    {
      ...user,
      // A retry with the same Idempotency-Key gets the same checkout URL (the provider call is ours).
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: 'Start paying for a plan: open the answered URL (Stripe Checkout, or the local sandbox)',
        body: s.CheckoutBody,
        response: { 201: Enveloped(s.CheckoutAnswer), ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return checkout(ctx, callerOf(request).id, request.body, {
        stripe: async (planId, currency) => stripe!.checkout(callerOf(request).id, planId, currency),
      });
    },
  );

  app.post(
    '/billing/portal',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Manage or cancel your subscription at the provider (Stripe customer portal)',
        response: { 201: Enveloped(s.PortalAnswer), ...errors },
      },
    },
    async (request, reply) => {
      const answer = await portal(ctx, stripe, callerOf(request).id);
      reply.status(201);
      return answer;
    },
  );

  app.get(
    '/billing/invoices',
    {
      ...user,
      config: { paginated: true },
      schema: {
        tags,
        security,
        summary: 'Your invoices, newest first',
        querystring: PaginationQuery,
        response: { 200: EnvelopedPage(s.Invoice), ...errors },
      },
    },
    async (request) => listInvoices(ctx, callerOf(request).id, request.query),
  );

  app.get(
    '/billing/invoices/:id.pdf',
    {
      ...user,
      config: { rawBody: true },
      schema: {
        tags,
        security,
        summary: 'One of your invoices as a PDF',
        params: s.InvoicePdfParams,
      },
    },
    async (request, reply) => {
      const invoice = await invoiceOf(ctx, callerOf(request).id, request.params.id);
      const pdf = await invoicePdf(invoice);
      reply.header('content-disposition', `attachment; filename="${invoice.number}.pdf"`);
      reply.header('cache-control', 'private, no-store');
      return reply.type('application/pdf').send(pdf);
    },
  );
};

/**
 * Provider webhooks. Stripe signs the exact bytes it sent, so this plugin
 * (and only it) takes JSON bodies as raw Buffers.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { stripe }) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  app.post(
    '/billing/webhooks/stripe',
    {
      schema: {
        tags: ['billing-webhooks'],
        summary: 'Stripe webhook (Stripe-Signature verified on the raw body; events de-duplicated by id)',
        headers: Type.Object({
          'stripe-signature': Type.Optional(Type.String({ description: 'Stripe’s signature of the body' })),
        }),
        // 404 while the provider is not configured.
        response: { 200: Enveloped(s.WebhookAnswer), 404: ErrorResponse, ...errors },
      },
    },
    async (request) => {
      if (!stripe) throw notFound('Stripe webhook (Stripe is not configured)');
      const body = request.body;
      if (!Buffer.isBuffer(body)) throw validationError('The body must be the JSON Stripe sent');
      return stripe.webhook(body, request.headers['stripe-signature']);
    },
  );
};

async function portal(ctx: PaymentsContext, stripe: StripeProvider | undefined, userId: string) {
  if (!stripe || ctx.config.provider !== 'stripe') throw conflict('The sandbox has no customer portal');
  return { url: await stripe.portal(userId) };
}

/** The sandbox's checkout page and its two buttons; never registered in production. */
export const sandboxRoutes: FastifyPluginAsyncTypebox<{ ctx: PaymentsContext }> = async (app, { ctx }) => {
  // The page's buttons are plain HTML forms; only this plugin's routes accept a form body.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, _body, done) => {
      done(null, undefined);
    },
  );
  const sandboxTags = ['billing-sandbox'];

  app.get(
    '/billing/sandbox/checkout/:sessionId',
    {
      config: { rawBody: true },
      schema: {
        tags: sandboxTags,
        summary: 'SANDBOX: the local checkout page (HTML) with Pay and Fail buttons',
        params: s.SessionParams,
      },
    },
    async (request, reply) => {
      const html = await sandboxPage(ctx, request.params.sessionId);
      // Inline styles and the page's own forms; nothing else may load.
      reply.header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      );
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  for (const [what, run] of [
    ['complete', completeSandbox],
    ['fail', failSandbox],
  ] as const) {
    app.post(
      `/billing/sandbox/checkout/:sessionId/${what}`,
      {
        schema: {
          tags: sandboxTags,
          summary:
            what === 'complete'
              ? 'SANDBOX: pay (grants premium, issues an invoice, emits payment events)'
              : 'SANDBOX: fail the payment (emits payment.failed)',
          params: s.SessionParams,
          response: { 200: Enveloped(s.SessionOutcome), 303: Redirect, ...errors },
        },
      },
      async (request, reply) => {
        const result = await run(ctx, request.params.sessionId);
        // From the page's form: back to the page, which shows the outcome.
        if (String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          return reply.redirect(sandboxPagePath(result.sessionId), 303);
        }
        return result;
      },
    );
  }
};
