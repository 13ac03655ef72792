/**
 * The invoice document a publisher downloads, rendered with pdfkit. It depends
 * only on the invoice (whose billing details were frozen when it left draft):
 * the PDF's dates are the issue date, pdfkit derives the file id from them,
 * and the standard fonts are not embedded, so the same invoice renders to the
 * same bytes every time.
 */
import PDFDocument from 'pdfkit';
import type { InvoiceView } from './invoices.ts';

export const COMPANY = {
  name: 'seams ad network',
  address: ['Publisher payments', 'billing@seams.example'],
};

const LEFT = 50;
const RIGHT = 545;
const PAGE_BOTTOM = 770;
const COLUMNS = { description: LEFT, impressions: 300, amount: 420 };

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Cents as `1,234.56`, exact (BigInt: no floating-point division). */
export function formatMinor(minor: number): string {
  const value = BigInt(minor);
  const abs = value < 0n ? -value : value;
  return `${value < 0n ? '-' : ''}${group(String(abs / 100n))}.${String(abs % 100n).padStart(2, '0')}`;
}

const day = (timestamp: string | null) => (timestamp ? timestamp.slice(0, 10) : '—');
const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function renderInvoicePdf(invoice: InvoiceView, options: { compress?: boolean } = {}): Promise<Buffer> {
  if (!invoice.billTo) throw new Error(`invoice ${invoice.id} has no frozen billing details: drafts have no document`);
  const billTo = invoice.billTo;
  const documentDate = new Date(invoice.issuedAt ?? invoice.voidedAt ?? invoice.createdAt);
  const title = invoice.number ? `Invoice ${invoice.number}` : `Invoice ${invoice.id} (never issued)`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: LEFT,
    compress: options.compress ?? true,
    info: { Title: title, Author: COMPANY.name, Subject: `Publisher earnings ${invoice.period}`, Creator: 'seams', Producer: 'seams', CreationDate: documentDate, ModDate: documentDate },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  // Company, then the invoice's own facts on the right.
  doc.font('Helvetica-Bold').fontSize(20).fillColor('#000').text(COMPANY.name, LEFT, 50);
  doc.font('Helvetica').fontSize(9).fillColor('#555').text(COMPANY.address.join('\n'), LEFT, 76);
  doc.font('Helvetica-Bold').fontSize(14).fillColor('#000').text(title, 280, 50, { width: RIGHT - 280, align: 'right' });
  const facts: [string, string][] = [
    ['Issue date', day(invoice.issuedAt)],
    ['Due date', invoice.dueAt ?? '—'],
    ['Period', invoice.period],
    ['Currency', invoice.currency],
    ['Status', titleCase(invoice.status)],
  ];
  facts.forEach(([label, value], i) => {
    doc.font('Helvetica').fontSize(10).text(`${label}: ${value}`, 280, 74 + i * 14, { width: RIGHT - 280, align: 'right' });
  });

  // Bill to: the billing account as it was when the invoice was issued.
  doc.font('Helvetica-Bold').fontSize(11).text('Bill to', LEFT, 160);
  const billToLines = [billTo.legalName, billTo.billingEmail, ...(billTo.taxId ? [`Tax id: ${billTo.taxId}`] : [])];
  doc.font('Helvetica').fontSize(10).text(billToLines.join('\n'), LEFT, 176, { width: 300 });

  // Lines, one per app, continuing on new pages when long.
  const header = (y: number) => {
    doc.font('Helvetica-Bold').fontSize(10);
    doc.text('Description', COLUMNS.description, y, { width: 240 });
    doc.text('Impressions', COLUMNS.impressions, y, { width: 110, align: 'right' });
    doc.text(`Amount (${invoice.currency})`, COLUMNS.amount, y, { width: RIGHT - COLUMNS.amount, align: 'right' });
    doc.moveTo(LEFT, y + 14).lineTo(RIGHT, y + 14).stroke();
    return y + 20;
  };
  let y = header(250);
  doc.font('Helvetica').fontSize(10);
  for (const line of invoice.lines) {
    if (y > PAGE_BOTTOM - 80) {
      doc.addPage();
      y = header(50);
      doc.font('Helvetica').fontSize(10);
    }
    doc.text(line.description, COLUMNS.description, y, { width: 240, lineBreak: false, ellipsis: true });
    doc.text(group(String(line.impressions)), COLUMNS.impressions, y, { width: 110, align: 'right' });
    doc.text(formatMinor(line.amountMinor), COLUMNS.amount, y, { width: RIGHT - COLUMNS.amount, align: 'right' });
    y += 16;
  }

  // Totals.
  doc.moveTo(COLUMNS.impressions, y + 2).lineTo(RIGHT, y + 2).stroke();
  const totals: [string, number][] = [
    ['Total', invoice.totalMinor],
    ['Paid', invoice.paidMinor],
    ['Balance due', invoice.totalMinor - invoice.paidMinor],
  ];
  totals.forEach(([label, amount], i) => {
    doc.font(i === 0 ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
    doc.text(label, COLUMNS.impressions, y + 8 + i * 16, { width: 110, align: 'right' });
    doc.text(`${formatMinor(amount)} ${invoice.currency}`, COLUMNS.amount, y + 8 + i * 16, { width: RIGHT - COLUMNS.amount, align: 'right' });
  });

  doc.font('Helvetica').fontSize(9).fillColor('#555').text(
    `Payment terms: ${billTo.paymentTermsDays} days from the issue date. Amounts are your share of the gross revenue ` +
      `your apps earned in ${invoice.period}, rounded to the cent per app.`,
    LEFT,
    Math.min(y + 70, PAGE_BOTTOM),
    { width: RIGHT - LEFT },
  );
  doc.end();
  return finished;
}
