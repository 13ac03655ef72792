/**
 * A topology serving Billing (the monolith, or Billing and Operations split
 * over HTTP) on a database of its own, and what figure 2b and 2c do with it:
 * run a month through the API, issue drafts one request at a time, and read
 * the servers' CPU time around both.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { seed } from '../invoiceRun.ts';
import { createDatabase, migrated, type BenchDatabase, type Dialect } from './databases.ts';
import { load, type LoadResult } from './load.ts';
import { cpuMs, sleep } from './processes.ts';
import { startSeams, startSplit } from './servers.ts';

export interface BillingTopology {
  name: 'monolith' | 'split over HTTP';
  db: BenchDatabase;
  billing: Knex;
  billingUrl: string;
  pids: number[];
  headers: Record<string, string>;
  /** The last publisher issued to: its month is closed, so its next draft is left alone. */
  issuedThrough: string;
  stop(): Promise<void>;
}

/** Issues sent before the counted ones, to warm the path up. */
export const UNCOUNTED_ISSUES = 10;

/** A database of `publishers` with last month's delivery and billing accounts, a finance token, and the topology serving it. */
export async function prepare(
  dialect: Dialect,
  name: BillingTopology['name'],
  publishers: number,
  period: string,
): Promise<BillingTopology> {
  const db = await createDatabase(dialect, name === 'monolith' ? 'hop_monolith' : 'hop_split');
  const app = await migrated(db);
  await seed(db, app.databases.get('operations')!.knex, app.databases.get('billing')!.knex, publishers, period);
  const token = (await app.tokens.create({ role: 'finance', name: 'bench finance' })).token;
  await app.close();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const common = { name, db, billing: db.knex('billing'), headers, issuedThrough: '' };
  if (name === 'monolith') {
    const server = await startSeams(db.env, { logFile: path.join(db.dataDir, 'hop-monolith.log') });
    return {
      ...common,
      billingUrl: server.url,
      pids: [server.proc.pid],
      stop: async () => {
        await server.stop();
        await db.drop();
      },
    };
  }
  const split = await startSplit(db.env, db.dataDir);
  const pids = [split.operations.proc.pid, split.billing.proc.pid];
  return {
    ...common,
    billingUrl: split.billing.url,
    pids,
    stop: async () => {
      await split.stop();
      await db.drop();
    },
  };
}

/** Runs the month from scratch through the API: the run's own claim-to-finish time, and the servers' CPU time until then. */
export async function runMonth(c: BillingTopology, period: string, publishers: number): Promise<{ ms: number; cpuMs: number }> {
  await settled(c.billing);
  await c.billing('invoice_lines').delete();
  await c.billing('invoices').delete();
  await c.billing('invoice_runs').delete();
  if (c.db.dialect === 'postgres') await c.billing.raw('VACUUM ANALYZE invoices, invoice_lines, invoice_runs');
  const cpuBefore = cpuMs(c.pids);
  const posted = await fetch(`${c.billingUrl}/v1/invoice-runs`, { method: 'POST', headers: c.headers, body: JSON.stringify({ period }) });
  if (posted.status !== 202) throw new Error(`${c.name}: POST /v1/invoice-runs answered ${posted.status}: ${await posted.text()}`);
  const { id } = (await posted.json()) as { id: string };
  for (;;) {
    // Polled gently: the run's own timestamps are the figure, not when we notice.
    await sleep(100);
    const run = (await (await fetch(`${c.billingUrl}/v1/invoice-runs/${id}`, { headers: c.headers })).json()) as RunView;
    if (run.status === 'queued' || run.status === 'running') continue;
    if (run.status !== 'succeeded' || run.created !== publishers)
      throw new Error(`${c.name}: invoice run ${run.status}, ${run.created} created: ${JSON.stringify(run)}`);
    return { ms: Date.parse(run.finishedAt!) - Date.parse(run.startedAt!), cpuMs: cpuMs(c.pids) - cpuBefore };
  }
}

interface RunView {
  status: string;
  created: number;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Issues drafts of publishers not issued to before, one request at a time from the load core; CPU per issue until its event is delivered. */
export async function issueDrafts(c: BillingTopology, count: number): Promise<LoadResult> {
  const drafts = await c
    .billing('invoices')
    .where({ status: 'draft' })
    .where('publisher_id', '>', c.issuedThrough)
    .orderBy('publisher_id')
    .limit(UNCOUNTED_ISSUES + count)
    .select<{ id: string; publisher_id: string }[]>('id', 'publisher_id');
  if (drafts.length < UNCOUNTED_ISSUES + count) throw new Error(`${c.name}: only ${drafts.length} drafts left to issue`);
  c.issuedThrough = drafts.at(-1)!.publisher_id;
  const cpuBefore = cpuMs(c.pids);
  const result = await load({
    url: c.billingUrl,
    paths: drafts.map((d) => `/v1/invoices/${d.id}`),
    headers: c.headers,
    method: 'PATCH',
    body: JSON.stringify({ status: 'issued' }),
    connections: 1,
    amount: drafts.length,
    uncounted: UNCOUNTED_ISSUES,
  });
  await settled(c.billing);
  return { ...result, cpuUsPerRequest: ((cpuMs(c.pids) - cpuBefore) * 1000) / drafts.length };
}

/** Waits until Billing's outbox has delivered everything, so that no event of the last round is handled during the next. */
async function settled(billing: Knex): Promise<void> {
  const count = async (statuses: string[]) =>
    Number(((await billing('outbox').whereIn('status', statuses).count({ n: '*' })) as [{ n: number | string }])[0].n);
  for (let waited = 0; waited < 60_000; waited += 50) {
    if ((await count(['dead'])) > 0) throw new Error("an event in Billing's outbox is dead: see the servers' logs");
    if ((await count(['pending', 'in_flight'])) === 0) return;
    await sleep(50);
  }
  throw new Error("Billing's outbox did not drain in 60 s");
}
