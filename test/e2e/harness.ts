/**
 * The end-to-end suite runs every scenario against every topology: the
 * monolith; Operations and Billing as two processes on loopback behind an
 * ingress that routes by path (sharing one store, events over HTTP); the two as
 * isolated services, each with stores of its own, events through RabbitMQ
 * (SEAMS_BROKER_URL, the live broker); and, on
 * PostgreSQL, two monolith instances behind a round-robin balancer. Same assertions.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import type { AppOptions } from '../../src/app.ts';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import type { Dialect } from '../helpers/databases.ts';
import { brokerEnv } from '../helpers/broker.ts';
import { startIngress } from '../helpers/ingress.ts';
import { boot, clientFor, type Client } from '../helpers/server.ts';
import { bootSplit } from '../helpers/split.ts';

export type Topology = 'monolith' | 'split' | 'isolated' | 'instances';
/** Per dialect: two monolith instances behind a round-robin balancer need PostgreSQL, as in production. */
export const topologiesFor = (dialect: Dialect): Topology[] =>
  dialect === 'postgres' ? ['monolith', 'split', 'isolated', 'instances'] : ['monolith', 'split', 'isolated'];

const modules = [operationsModule, billingModule];
const BILLING_PATHS = /^\/v1\/(billing-accounts|invoice-runs|invoices)(\/|\?|$)/;

export const FACADE_CALLS_DIR = 'test/artifacts/facade-calls';

/** A topology's API, and Operations' own database for tests that must plant what the API refuses (data from before a rule). */
export type TopologyClient = Client & { operationsDb: Knex };

/**
 * `measured: false` leaves a monolith test out of the facade calls the extraction report counts: a test whose
 * calls depend on timing (racing requests, random interleavings) would make the committed report vary by run.
 */
export async function bootTopology(
  t: ExecutionContext,
  dialect: Dialect,
  topology: Topology,
  options: AppOptions & { measured?: boolean } = {},
): Promise<TopologyClient> {
  if (topology === 'monolith') {
    const api = await boot(t, dialect, { modules, ...options });
    if (options.measured !== false) t.teardown(() => recordFacadeCalls(api, path.join(FACADE_CALLS_DIR, `${randomUUID()}.json`)));
    return Object.assign(api, { operationsDb: api.app.databases.get('operations')!.knex });
  }
  if (topology === 'instances') {
    const instances = await bootSplit(
      t,
      dialect,
      [
        ['operations', 'billing'],
        ['operations', 'billing'],
      ],
      { modules, ...options },
    );
    const client = clientFor(
      await startIngress(
        t,
        [],
        instances.map((i) => i.url),
      ),
    );
    return Object.assign(client, { operationsDb: instances[0]!.app.databases.get('operations')!.knex });
  }
  // isolated: two services as they run apart: each with stores of its own (its own SQLite folder or
  // PostgreSQL database: tokens reach the other by replication), events through RabbitMQ.
  const broker = topology === 'isolated' && {
    env: brokerEnv(t, ['operations', 'billing']),
    // quick retries, so a broker hiccup costs a second, not the backoff's minutes
    dispatcher: { options: { maxDelayMs: 1_000 } },
    broker: { reconnectMs: 200 },
  };
  const [operations, billing] = await bootSplit(t, dialect, [['operations'], ['billing']], {
    modules,
    ...options,
    ...broker,
    ownStores: topology === 'isolated',
  });
  const url = await startIngress(t, [{ prefix: BILLING_PATHS, target: billing!.url }], operations!.url);
  return Object.assign(clientFor(url), { operationsDb: operations!.app.databases.get('operations')!.knex });
}

/** Polls an HTTP call until `done` holds (events cross between modules asynchronously). */
export async function eventually<T>(call: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await call();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Publisher {
  publisherId: string;
  appId: string;
  adUnitId: string;
}

let counter = 0;

/** Through the public API: a publisher with one app and one ad unit, and March 2026 delivery. */
export async function seedPublisher(api: Client, ops: string, grossPerDayMicros = 1_234_567, days = 3): Promise<Publisher> {
  counter++;
  const publisher = await api.post(
    '/v1/publishers',
    { name: `Studio ${counter}`, contactEmail: `studio${counter}@games.example`, country: 'PL' },
    ops,
  );
  const app = await api.post(
    `/v1/publishers/${publisher.body.id}/apps`,
    { name: `Game ${counter}`, platform: 'ios', bundleId: `pl.studio${counter}.${process.pid}.${Date.now()}` },
    ops,
  );
  const unit = await api.post(`/v1/apps/${app.body.id}/ad-units`, { name: 'feed', format: 'native' }, ops);
  const rows = Array.from({ length: days }, (_, i) => ({
    adUnitId: unit.body.id,
    date: `2026-03-${String(i + 1).padStart(2, '0')}`,
    impressions: 10_000,
    clicks: 100,
    revenueMicros: grossPerDayMicros,
  }));
  const delivered = await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
  if (delivered.status !== 200) throw new Error(`seeding failed: ${delivered.text}`);
  return { publisherId: publisher.body.id, appId: app.body.id, adUnitId: unit.body.id };
}

/** Starts an invoice run and waits for it to finish. */
export async function runInvoices(api: Client, finance: string, period: string) {
  const started = await api.post('/v1/invoice-runs', { period }, finance);
  if (started.status !== 202) throw new Error(`run refused: ${started.status} ${started.text}`);
  return eventually(
    () => api.get(`/v1/invoice-runs/${started.body.id}`, finance),
    (r) => ['succeeded', 'failed'].includes(r.body.status),
    'the invoice run',
  );
}

/**
 * After a monolith test, which facade methods each route called and the most
 * calls one request made, read from /metrics: the extraction report turns
 * them into network hops per endpoint.
 */
export async function recordFacadeCalls(api: Client, file: string): Promise<void> {
  const text = (await api.get('/metrics', null)).text;
  const routes: Record<string, { methods: string[]; mostPerRequest: number | null }> = {};
  for (const m of text.matchAll(
    /^seams_facade_calls_total\{module="(\w+)",method="(\w+)",transport="\w+",outcome="\w+",route="([^"]+)"\} \d+$/gm,
  )) {
    const entry = (routes[m[3]!] ??= { methods: [], mostPerRequest: null });
    if (!entry.methods.includes(`${m[1]}.${m[2]}`)) entry.methods.push(`${m[1]}.${m[2]}`);
  }
  for (const m of text.matchAll(/^seams_facade_calls_per_request_max\{route="([^"]+)"\} (\d+)$/gm)) {
    if (routes[m[1]!]) routes[m[1]!]!.mostPerRequest = Number(m[2]);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(routes, null, 2));
}

let moneyCounter = 0;

/** A publisher with one app and one ad unit, and no delivery yet. */
export async function newPublisher(api: Client, ops: string) {
  moneyCounter++;
  const publisher = await api.post(
    '/v1/publishers',
    { name: `Money ${moneyCounter}`, contactEmail: `money${moneyCounter}@games.example`, country: 'FI' },
    ops,
  );
  const app = await api.post(
    `/v1/publishers/${publisher.body.id}/apps`,
    { name: `Coins ${moneyCounter}`, platform: 'android', bundleId: `fi.money${moneyCounter}.${process.pid}.${Date.now()}` },
    ops,
  );
  const unit = await api.post(`/v1/apps/${app.body.id}/ad-units`, { name: 'feed', format: 'native' }, ops);
  return { publisherId: publisher.body.id as string, adUnitId: unit.body.id as string };
}

export const deliveryRow = (adUnitId: string, date: string, revenueMicros: number) => ({
  adUnitId,
  date,
  impressions: 1_000,
  clicks: 10,
  revenueMicros,
});

/** Issues the publisher's draft of `period`, taking each refreshed draft as finance would, until it is issued. */
export async function issueUntilDone(api: Client, finance: string, publisherId: string, period: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const [draft] = (await api.get(`/v1/invoices?publisherId=${publisherId}&period=${period}&status=draft`, finance)).body.data;
    if (!draft) return null;
    const res = await api.request('PATCH', `/v1/invoices/${draft.id}`, {
      token: finance,
      body: { status: 'issued' },
      headers: { 'if-match': `"${draft.version}"` },
    });
    if (res.status === 200) return res.body;
    if (![409, 412].includes(res.status)) throw new Error(`issue answered ${res.status}: ${res.text}`);
  }
  throw new Error('the draft never settled');
}
