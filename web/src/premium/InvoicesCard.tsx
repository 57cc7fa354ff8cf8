import { useState } from 'react';
import { getAccessToken } from '../api.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';
import { type Invoice, useInvoices } from './queries.ts';

const money = (minor: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);

/** The PDF needs the access token, so it is fetched and handed to the browser as a file. */
async function downloadPdf(invoice: Invoice): Promise<void> {
  const token = getAccessToken();
  const response = await fetch(invoice.pdfUrl, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`The invoice could not be downloaded (HTTP ${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `${invoice.number}.pdf`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function InvoicesCard() {
  const invoices = useInvoices();
  const [error, setError] = useState<unknown>(null);
  return (
    <section className="card" aria-labelledby="invoices">
      <h2 id="invoices">Invoices</h2>
      <ErrorNotice error={error} />
      {invoices.isPending ? (
        <Loading />
      ) : invoices.error ? (
        <ErrorNotice error={invoices.error} />
      ) : invoices.data.length === 0 ? (
        <p className="hint">No invoices yet.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Invoices</caption>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Date</th>
                <th scope="col">Plan</th>
                <th scope="col">Total</th>
                <th scope="col">
                  <span className="visually-hidden">PDF</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invoices.data.map((invoice) => (
                <tr key={invoice.id}>
                  <td>{invoice.number}</td>
                  <td>{new Date(invoice.issuedAt).toLocaleDateString()}</td>
                  <td>{invoice.planId}</td>
                  <td>{money(invoice.totalMinor, invoice.currency)}</td>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Download invoice ${invoice.number} (PDF)`}
                      onClick={() => downloadPdf(invoice).then(() => setError(null), setError)}
                    >
                      PDF
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
