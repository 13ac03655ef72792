/**
 * Boots seams with Billing and the Operations stub for Billing's tests, and
 * the few steps most tests share: a publisher whose billing account is open,
 * a month's earnings, a finished invoice run, an issued invoice.
 */
import { Writable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import type { Dialect } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { createBillingModule, type BillingCradle } from '../../modules/billing/index.ts';
import type { InvoiceRunOptions } from '../../modules/billing/runOptions.ts';
import { operationsStubModule, operationsStubOf, type StubApp } from '../fixtures/modules/operationsStub/index.ts';
import { createApp } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import type { Clock } from '../../src/kernel/index.ts';
import type { PublisherSummary } from '../../modules/operations/contract.ts';

export const PERIOD = '2026-03';

/** The module list of the crash test, the same in the test and in its child process. */
export function billingCrashModules() {
  return [operationsStubModule, createBillingModule({ pageSize: 10, pollMs: 50 })];
}

/** The modules of test/fixtures/heldWorkChild.ts (pages of 10 accounts), for apps sharing its databases. */
export function heldWorkModules(run: Partial<InvoiceRunOptions> = {}) {
  return [operationsStubModule, createBillingModule({ pageSize: 10, ...run })];
}

/**
 * Publishers one process of a test registers and the others' stubs know (Billing opens an account
 * only for a publisher Operations knows): fixed ids, sorted after every generated one.
 */
export function latePublishers(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `pub_7${'Z'.repeat(23)}${String(i).padStart(2, '0')}`,
    name: `late publisher ${i}`,
  }));
}

/** Opens `count` billing accounts through the stub's PublisherRegistered events; their publisher ids. */
export async function seedAccounts(config: Config, count: number): Promise<string[]> {
  const seed = await createApp(config, { modules: heldWorkModules(), dispatcher: { options: { idlePollMs: 50 } } });
  try {
    seed.start();
    const stub = operationsStubOf(seed);
    for (let i = 0; i < count; i++) await stub.register({ name: `publisher ${i}` });
    const accounts = seed.databases.get('billing')!.knex('billing_accounts');
    await waitUntil(async () => (await accounts.clone()).length === count, 20_000, `${count} billing accounts`);
    return stub.publisherIds();
  } finally {
    await seed.close();
  }
}

export async function bootBilling(
  t: ExecutionContext,
  dialect: Dialect,
  options: { run?: Parameters<typeof createBillingModule>[0]; clock?: Clock; env?: NodeJS.ProcessEnv } = {},
) {
  const api = await boot(t, dialect, {
    modules: [operationsStubModule, createBillingModule({ pollMs: 50, retryDelaysMs: [10], ...options.run })],
    dispatcher: { options: { idlePollMs: 50 } },
    ...(options.clock && { clock: options.clock }),
    ...(options.env && { env: options.env }),
  });
  const stub = operationsStubOf(api.app);
  const db = api.app.databases.get('billing')!.knex;
  const [finance, ops] = await Promise.all([api.token('finance'), api.token('ops')]);

  const module = api.app.modules.find((m) => m.definition.name === 'billing')!;
  const billing = {
    api,
    /** Billing's own parts, for tests that drive the worker or the CLI command directly. */
    cradle: module.container.cradle as BillingCradle,
    definition: module.definition as ReturnType<typeof createBillingModule>,
    stub,
    db,
    finance,
    ops,

    /** Registers a publisher in the stub and waits until Billing opened its account. */
    async publisher(name: string, extra: Partial<PublisherSummary> = {}) {
      const id = await stub.register({ ...extra, name });
      await waitUntil(() => db('billing_accounts').where({ publisher_id: id }).first(), 10_000, `billing account of ${name}`);
      return id;
    },

    /** `count` publishers, each with one app that earned `grossMicros` in PERIOD; their accounts open together. */
    async earners(count: number, grossMicros: number) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = await stub.register({ name: `publisher ${i}` });
        stub.setEarnings(PERIOD, id, [{ appId: `app_${i}`, name: `Game ${i}`, impressions: 1_000, grossMicros }]);
        ids.push(id);
      }
      await waitUntil(
        async () => (await db('billing_accounts').whereIn('publisher_id', ids)).length === count,
        20_000,
        `${count} accounts`,
      );
      return ids;
    },

    /** A publisher with one app that earned `grossMicros` in PERIOD. */
    async earner(name: string, grossMicros: number, extra: { revenueShareBps?: number; apps?: StubApp[] } = {}) {
      const id = await billing.publisher(name, extra.revenueShareBps !== undefined ? { revenueShareBps: extra.revenueShareBps } : {});
      stub.setEarnings(PERIOD, id, extra.apps ?? [{ appId: `app_${name}`, name: `${name} Quest`, impressions: 1_000, grossMicros }]);
      return id;
    },

    /** Queues a run over HTTP and waits until it ends. */
    async run(period = PERIOD) {
      const queued = await api.post('/v1/invoice-runs', { period }, finance);
      if (queued.status !== 202) throw new Error(`run not queued: ${queued.status} ${queued.text}`);
      return waitUntil(
        async () => {
          const run = (await api.get(`/v1/invoice-runs/${queued.body.id}`, finance)).body;
          return run.status === 'succeeded' || run.status === 'failed' ? run : null;
        },
        20_000,
        `run ${queued.body.id}`,
      );
    },

    async invoicesOf(publisherId: string, status?: string) {
      const res = await api.get(`/v1/invoices?publisherId=${publisherId}${status ? `&status=${status}` : ''}&limit=100`, finance);
      return res.body.data as any[];
    },

    async draftOf(publisherId: string) {
      const [draft] = await billing.invoicesOf(publisherId, 'draft');
      if (!draft) throw new Error(`no draft for ${publisherId}`);
      return draft;
    },

    patch(path: string, body: unknown, token = finance, headers: Record<string, string> = {}) {
      return api.request('PATCH', path, { body, token, headers });
    },

    issue(invoiceId: string, headers: Record<string, string> = {}) {
      return billing.patch(`/v1/invoices/${invoiceId}`, { status: 'issued' }, finance, headers);
    },

    /** Billing events the stub received, once `count` of them arrived. */
    received(count: number) {
      return waitUntil(async () => (stub.received.length >= count ? stub.received : null), 10_000, `${count} billing events`);
    },
  };
  return billing;
}

export type BillingTestApp = Awaited<ReturnType<typeof bootBilling>>;

/** A CommandIO that keeps what a CLI command printed and every progress update. */
export function captureIO() {
  let out = '';
  const updates: [number, number | undefined][] = [];
  const sink = (append: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) });
  return {
    io: {
      out: sink((s) => (out += s)),
      err: sink(() => undefined),
      progress: () => ({
        update: (done: number, total?: number) => void updates.push([done, total]),
        finish: () => undefined,
        clear: () => undefined,
      }),
    },
    out: () => out,
    updates,
  };
}
