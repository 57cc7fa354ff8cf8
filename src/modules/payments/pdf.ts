import { formatMoney } from './invoices.ts';
import type { InvoiceRow } from './tables.ts';

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '-');

/** The invoice as a PDF (pdfkit, built-in Helvetica): seller, buyer, period, lines, tax and totals. */
export async function invoicePdf(invoice: InvoiceRow): Promise<Buffer> {
  // pdfkit and its fonts load on the first invoice asked for, not with every process.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoice.number}` } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (minor: number) => formatMoney(minor, invoice.currency);

  doc.fontSize(20).text(`Invoice ${invoice.number}`);
  doc.moveDown();
  doc.fontSize(10).text('Seller', { underline: true });
  doc.text(invoice.seller.name);
  doc.text(invoice.seller.address);
  doc.text(`Tax id: ${invoice.seller.taxId}`);
  doc.moveDown();
  doc.text('Buyer', { underline: true });
  doc.text(invoice.buyer_name);
  doc.text(`Customer id: ${invoice.user_id}`);
  doc.moveDown();
  doc.text(`Issued: ${day(invoice.issued_at)}`);
  doc.text(`Period: ${day(invoice.period_start)} to ${day(invoice.period_end)}`);
  doc.moveDown();
  doc.text('Lines', { underline: true });
  for (const line of invoice.lines) {
    doc.text(`${line.quantity} x ${line.description}: ${money(line.totalMinor)}`);
  }
  doc.moveDown();
  doc.text(`Subtotal: ${money(invoice.subtotal_minor)}`);
  doc.text(`VAT ${(invoice.tax_rate_bp / 100).toFixed(2)}%: ${money(invoice.tax_minor)}`);
  doc.fontSize(12).text(`Total: ${money(invoice.total_minor)}`);
  doc.end();
  return done;
}
