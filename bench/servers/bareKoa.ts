/**
 * The floor of the hot read path: a minimal Koa + @koa/router + knex app that
 * answers `GET /v1/invoices?publisherId=` with the same query and the same JSON
 * as seams (invoices newest first, 20 a page, with their lines) — and nothing
 * else: no auth, no validation, no logging, no ORM.
 * Env: PORT, and SEAMS_DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL).
 */
import path from 'node:path';
import Router from '@koa/router';
import knexFactory from 'knex';
import Koa from 'koa';

const databaseUrl = process.env.DATABASE_URL;
const knex = databaseUrl
  ? knexFactory({
      client: 'pg',
      connection: databaseUrl,
      searchPath: ['billing'],
      pool: { min: 0, max: Number(process.env.SEAMS_DB_POOL_MAX ?? 10) },
    })
  : knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(process.env.SEAMS_DATA_DIR!, 'billing.sqlite') },
      useNullAsDefault: true,
      pool: {
        afterCreate(connection: { pragma(sql: string): unknown }, done: (err: Error | null, c: unknown) => void) {
          connection.pragma('journal_mode = WAL');
          connection.pragma('synchronous = NORMAL');
          done(null, connection);
        },
      },
    });

const LIMIT = 20;
const router = new Router();
router.get('/v1/invoices', async (ctx) => {
  const publisherId = String(ctx.query.publisherId ?? '');
  const rows = await knex('invoices')
    .where('publisher_id', publisherId)
    .orderBy([
      { column: 'period', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(LIMIT + 1);
  const page = rows.slice(0, LIMIT);
  const lines =
    page.length === 0
      ? []
      : await knex('invoice_lines')
          .whereIn(
            'invoice_id',
            page.map((r) => r.id),
          )
          .orderBy('position')
          .select('invoice_id', 'app_id', 'description', 'impressions', 'gross_micros', 'amount_minor');
  const byInvoice = new Map<string, object[]>();
  for (const line of lines) {
    const list = byInvoice.get(line.invoice_id) ?? [];
    list.push({
      appId: line.app_id,
      description: line.description,
      impressions: Number(line.impressions),
      grossMicros: Number(line.gross_micros),
      amountMinor: Number(line.amount_minor),
    });
    byInvoice.set(line.invoice_id, list);
  }
  const last = rows.length > LIMIT ? page[LIMIT - 1] : null;
  ctx.body = {
    data: page.map((r) => ({
      id: r.id,
      number: r.number,
      publisherId: r.publisher_id,
      period: r.period,
      status: r.status,
      currency: r.currency,
      totalMinor: Number(r.total_minor),
      paidMinor: Number(r.paid_minor),
      revenueShareBps: r.revenue_share_bps,
      lines: byInvoice.get(r.id) ?? [],
      billTo: r.bill_to === null ? null : { address: null, ...JSON.parse(r.bill_to) },
      issuedAt: r.issued_at,
      dueAt: r.due_at,
      paidAt: r.paid_at,
      voidedAt: r.voided_at,
      voidReason: r.void_reason,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    nextCursor: last ? Buffer.from(JSON.stringify([last.period, last.id])).toString('base64url') : null,
  };
});
router.get('/health', (ctx) => {
  ctx.body = { status: 'ok' };
});

const app = new Koa();
app.use(router.routes()).use(router.allowedMethods());
app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
// Exit normally on SIGTERM, so `--cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
