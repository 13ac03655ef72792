/**
 * The invoice document a publisher downloads. The company pays its
 * publishers, so this is a self-billing invoice: the company (the customer)
 * issues it on the publisher's (the supplier's) behalf, and it shows what is
 * payable to the publisher: per app the gross revenue, the share rate and the
 * share. It depends only on the invoice (its parties were frozen when it left
 * draft) and the issuer settings; the PDF's dates are the issue date, so the
 * same invoice renders to the same bytes every time.
 */
import PDFDocument from 'pdfkit';
import { dayInWords, formatCount, formatMicros, formatMinor, formatRate, monthInWords, monthSpan } from './document/wording.ts';
import { invoiceFonts } from './document/fonts.ts';
import type { InvoiceView } from './invoices.ts';
import type { Issuer } from './settings.ts';

const LEFT = 50;
const RIGHT = 545;
const PAGE_BOTTOM = 770;
/** Column right edges (numbers align right) and the app name's width. */
const COLUMNS = { app: LEFT, appWidth: 175, impressions: 300, gross: 390, rate: 450, share: RIGHT };
const GREY = '#555';

const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function renderInvoicePdf(invoice: InvoiceView, issuer: Issuer, options: { compress?: boolean } = {}): Promise<Buffer> {
  if (!invoice.billTo) throw new Error(`invoice ${invoice.id} has no frozen parties: drafts have no document`);
  const supplier = invoice.billTo;
  const documentDate = new Date(invoice.issuedAt ?? invoice.voidedAt ?? invoice.createdAt);
  const title = invoice.number
    ? `Self-billing invoice ${invoice.number}`
    : `Self-billing invoice (voided draft ${invoice.id}, never issued)`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: LEFT,
    compress: options.compress ?? true,
    info: {
      Title: title,
      Author: issuer.name,
      Subject: `Publisher share, ${monthInWords(invoice.period)}`,
      Creator: 'seams',
      Producer: 'seams',
      CreationDate: documentDate,
      ModDate: documentDate,
    },
  });
  const fonts = invoiceFonts();
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const text = (font: 'regular' | 'bold', size: number, value: string, x: number, y: number, options: PDFKit.Mixins.TextOptions = {}) =>
    doc.font(font).fontSize(size).text(value, x, y, options);

  // Title and the invoice's own facts.
  text('bold', 18, title, LEFT, 50, { width: RIGHT - LEFT });
  doc.fillColor(GREY);
  text('regular', 9, 'Issued by the customer on behalf of the supplier (self-billing)', LEFT, 76);
  doc.fillColor('#000');
  const facts: [string, string][] = [
    ['Issue date', invoice.issuedAt ? dayInWords(invoice.issuedAt) : '—'],
    ['Due date', invoice.dueAt ? dayInWords(invoice.dueAt) : '—'],
    ['Period', monthSpan(invoice.period)],
    ['Status', titleCase(invoice.status)],
  ];
  facts.forEach(([label, value], i) => text('regular', 10, `${label}: ${value}`, LEFT, 96 + i * 14));

  // The parties: the publisher supplies (its billing account as frozen at issue), the company buys.
  const party = (heading: string, lines: string[], x: number) => {
    text('bold', 11, heading, x, 170);
    return text('regular', 10, lines.join('\n'), x, 186, { width: 230 }).y;
  };
  const partiesEnd = Math.max(
    party(
      'Supplier (publisher)',
      [
        supplier.legalName,
        ...(supplier.address?.split('\n') ?? []),
        ...(supplier.taxId ? [`Tax id: ${supplier.taxId}`] : []),
        supplier.billingEmail,
      ],
      LEFT,
    ),
    party(
      'Customer',
      [issuer.name, ...issuer.address, ...(issuer.taxId ? [`Tax id: ${issuer.taxId}`] : []), ...(issuer.email ? [issuer.email] : [])],
      315,
    ),
  );

  const balance = invoice.totalMinor - invoice.paidMinor;
  const headline = text(
    'bold',
    13,
    `Amount payable to ${supplier.legalName}: ${formatMinor(balance)} ${invoice.currency}`,
    LEFT,
    partiesEnd + 12,
    { width: RIGHT - LEFT },
  ).y;

  // One line per app, continuing on new pages when long.
  const header = (y: number) => {
    doc.font('bold').fontSize(9);
    doc.text('App', COLUMNS.app, y, { width: COLUMNS.appWidth });
    doc.text('Impressions', COLUMNS.impressions - 80, y, { width: 80, align: 'right' });
    doc.text(`Gross (${invoice.currency})`, COLUMNS.gross - 90, y, { width: 90, align: 'right' });
    doc.text('Share rate', COLUMNS.rate - 60, y, { width: 60, align: 'right' });
    doc.text(`Share (${invoice.currency})`, COLUMNS.share - 90, y, { width: 90, align: 'right' });
    doc
      .moveTo(LEFT, y + 14)
      .lineTo(RIGHT, y + 14)
      .stroke();
    return y + 20;
  };
  const row = (
    y: number,
    cells: { app: string; impressions: string; gross: string; rate: string; share: string },
    font: 'regular' | 'bold' = 'regular',
  ) => {
    doc.font(font).fontSize(9);
    doc.text(cells.app, COLUMNS.app, y, { width: COLUMNS.appWidth, lineBreak: false, ellipsis: true });
    doc.text(cells.impressions, COLUMNS.impressions - 80, y, { width: 80, align: 'right' });
    doc.text(cells.gross, COLUMNS.gross - 90, y, { width: 90, align: 'right' });
    doc.text(cells.rate, COLUMNS.rate - 60, y, { width: 60, align: 'right' });
    doc.text(cells.share, COLUMNS.share - 90, y, { width: 90, align: 'right' });
  };
  const rate = formatRate(invoice.revenueShareBps);
  let y = header(headline + 14);
  for (const line of invoice.lines) {
    if (y > PAGE_BOTTOM - 120) {
      doc.addPage();
      y = header(50);
    }
    row(y, {
      app: line.description,
      impressions: formatCount(line.impressions),
      gross: formatMicros(line.grossMicros),
      rate,
      share: formatMinor(line.amountMinor),
    });
    y += 15;
  }

  // Totals: the share is the sum of the lines; payouts already sent reduce what is still payable.
  doc
    .moveTo(LEFT, y + 2)
    .lineTo(RIGHT, y + 2)
    .stroke();
  const gross = invoice.lines.reduce((sum, line) => sum + BigInt(line.grossMicros), 0n);
  row(
    y + 8,
    { app: 'Total', impressions: '', gross: formatMicros(Number(gross)), rate: '', share: formatMinor(invoice.totalMinor) },
    'bold',
  );
  const totals: [string, number][] = [
    ['Paid out', invoice.paidMinor],
    ['Balance payable to the publisher', balance],
  ];
  totals.forEach(([label, amount], i) => {
    text(i === 1 ? 'bold' : 'regular', 9, label, COLUMNS.rate - 250, y + 26 + i * 14, { width: 250, align: 'right' });
    text(i === 1 ? 'bold' : 'regular', 9, `${formatMinor(amount)} ${invoice.currency}`, COLUMNS.share - 90, y + 26 + i * 14, {
      width: 90,
      align: 'right',
    });
  });

  doc.fillColor(GREY);
  const due = invoice.dueAt ? `, by ${dayInWords(invoice.dueAt)}` : '';
  text(
    'regular',
    8.5,
    `Payment terms: ${issuer.name} pays the balance to the supplier within ${supplier.paymentTermsDays} days of the issue date${due}. ` +
      `This self-billing invoice was issued by the customer on behalf of the supplier. The share is the supplier's ` +
      `${rate} of the gross revenue its apps earned in ${monthInWords(invoice.period)}, per app rounded half-up to the cent.`,
    LEFT,
    Math.min(y + 70, PAGE_BOTTOM),
    { width: RIGHT - LEFT },
  );
  doc.end();
  return finished;
}
