/**
 * The invoice run floor: one SQL aggregation of the month's delivery per
 * publisher and app, then one bulk insert of the invoices and one of their
 * lines, in one transaction — no paging, no savepoints, no ORM.
 * Usage: invoiceRun.ts sqlite DATA_DIR PERIOD | invoiceRun.ts postgres DATABASE_URL PERIOD; prints the invoices written.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const [dialect, where, period] = process.argv.slice(2) as ['sqlite' | 'postgres', string, string];
const [year, month] = period.split('-').map(Number) as [number, number];
const from = `${period}-01`;
const to = `${period}-${String(new Date(Date.UTC(year, month, 0)).getUTCDate()).padStart(2, '0')}`;
const now = new Date().toISOString();

interface Row {
  publisher_id: string;
  revenue_share_bps: number;
  app_id: string;
  name: string;
  impressions: number | string;
  gross: number | string;
}

const AGGREGATE = (p: (n: number) => string) => `
  SELECT p.id AS publisher_id, p.revenue_share_bps, a.id AS app_id, a.name, SUM(d.impressions) AS impressions, SUM(d.revenue_micros) AS gross
  FROM publishers p JOIN apps a ON a.publisher_id = p.id JOIN ad_units u ON u.app_id = a.id
  JOIN delivery_reports d ON d.ad_unit_id = u.id AND d.day BETWEEN ${p(1)} AND ${p(2)}
  GROUP BY p.id, p.revenue_share_bps, a.id, a.name ORDER BY p.id, a.id`;

/** Invoices and lines from the aggregated rows: lines rounded half-up to cents, total = sum of lines. */
function draft(rows: Row[]) {
  const invoices: (string | number)[][] = [];
  const lines: (string | number)[][] = [];
  type Draft = { id: string; publisher: string; bps: number; total: number; lines: (string | number)[][] };
  let current = null as Draft | null;
  const close = (draft: Draft | null) => {
    if (!draft || draft.total === 0) return;
    invoices.push([draft.id, draft.publisher, period, 'draft', 'USD', draft.total, 0, draft.bps, 1, now, now]);
    lines.push(...draft.lines);
  };
  let n = 0;
  for (const row of rows) {
    if (current?.publisher !== row.publisher_id) {
      close(current);
      current = {
        id: `inv_floor_${String(++n).padStart(8, '0')}`,
        publisher: row.publisher_id,
        bps: row.revenue_share_bps,
        total: 0,
        lines: [],
      };
    }
    const gross = Number(row.gross);
    if (gross <= 0) continue;
    const amount = Math.floor((gross * row.revenue_share_bps) / 1e8 + 0.5);
    current.total += amount;
    current.lines.push([current.id, current.lines.length, row.app_id, row.name, Number(row.impressions), gross, amount]);
  }
  close(current);
  return { invoices, lines };
}

const INVOICE_COLUMNS =
  'id, publisher_id, period, status, currency, total_minor, paid_minor, revenue_share_bps, version, created_at, updated_at';
const LINE_COLUMNS = 'invoice_id, position, app_id, description, impressions, gross_micros, amount_minor';

if (dialect === 'sqlite') {
  const ops = new Database(path.join(where, 'operations.sqlite'), { readonly: true });
  const rows = ops.prepare(AGGREGATE(() => '?')).all(from, to) as Row[];
  ops.close();
  const { invoices, lines } = draft(rows);
  const billing = new Database(path.join(where, 'billing.sqlite'));
  billing.pragma('journal_mode = WAL');
  billing.pragma('synchronous = NORMAL');
  const insert = (table: string, columns: string, values: (string | number)[][]) => {
    const width = columns.split(',').length;
    const row = `(${Array(width).fill('?').join(', ')})`;
    const ROWS = 500;
    const full = billing.prepare(`INSERT INTO ${table} (${columns}) VALUES ${Array(ROWS).fill(row).join(', ')}`);
    for (let i = 0; i < values.length; i += ROWS) {
      const chunk = values.slice(i, i + ROWS);
      const statement =
        chunk.length === ROWS
          ? full
          : billing.prepare(`INSERT INTO ${table} (${columns}) VALUES ${Array(chunk.length).fill(row).join(', ')}`);
      statement.run(chunk.flat());
    }
  };
  billing.transaction(() => {
    insert('invoices', INVOICE_COLUMNS, invoices);
    insert('invoice_lines', LINE_COLUMNS, lines);
  })();
  billing.close();
  process.stdout.write(`${invoices.length}\n`);
} else {
  const client = new pg.Client({ connectionString: where });
  await client.connect();
  const { rows } = await client.query<Row>(
    AGGREGATE((n) => `$${n}`).replace(/\b(publishers|apps|ad_units|delivery_reports)\b/g, 'operations.$1'),
    [from, to],
  );
  const { invoices, lines } = draft(rows);
  const column = (values: (string | number)[][], i: number) => values.map((v) => v[i]);
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO billing.invoices (${INVOICE_COLUMNS}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::int[], $9::int[], $10::text[], $11::text[])`,
    Array.from({ length: 11 }, (_, i) => column(invoices, i)),
  );
  await client.query(
    `INSERT INTO billing.invoice_lines (${LINE_COLUMNS}) SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])`,
    Array.from({ length: 7 }, (_, i) => column(lines, i)),
  );
  await client.query('COMMIT');
  await client.end();
  process.stdout.write(`${invoices.length}\n`);
}
