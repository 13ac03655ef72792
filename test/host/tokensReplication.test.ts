/**
 * Operations and Billing as two processes with stores of their own (SQLite:
 * separate data folders; PostgreSQL: separate databases), nothing shared but
 * the network and the service token: tokens reach both by replication.
 */
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { dialects } from '../helpers/databases.ts';
import { startIngress } from '../helpers/ingress.ts';
import type { Client } from '../helpers/server.ts';
import { clientFor } from '../helpers/server.ts';
import { bootSplit } from '../helpers/split.ts';
import { waitUntil } from '../helpers/wait.ts';

const modules = [operationsModule, billingModule];
const BILLING_PATHS = /^\/v1\/(billing-accounts|invoice-runs|invoices)(\/|\?|$)/;

/** A token made through `on`, once the other process lists it (listing needs no use of the token, so no failure is counted). */
async function tokenKnownTo(on: Client, other: Client, role: string) {
  const created = await on.post('/v1/tokens', { role });
  if (created.status !== 201) throw new Error(`token creation failed: ${created.status} ${created.text}`);
  await waitUntil(
    async () => (await other.get('/v1/tokens?limit=100')).body.data.some((x: { id: string }) => x.id === created.body.id),
    5_000,
    'the token on the other process',
  );
  return created.body as { id: string; token: string };
}

const readInvoices = (billing: Client, token: string) => billing.get('/v1/invoices?limit=1', token);
const readPublishers = (operations: Client, token: string) => operations.get('/v1/publishers?limit=1', token);

for (const dialect of dialects) {
  test(`[${dialect}] own stores: a token created on either process works on both once it is answered, and one revoked on one is refused on the other within a second`, async (t) => {
    const [operations, billing] = await bootSplit(t, dialect, [['operations'], ['billing']], { modules, ownStores: true });
    const finance = (await operations!.post('/v1/tokens', { role: 'finance' })).body;
    t.is((await readInvoices(billing!, finance.token)).status, 200, 'the 201 came once the other process had it');
    t.is((await readPublishers(operations!, finance.token)).status, 200);
    const ops = (await billing!.post('/v1/tokens', { role: 'ops' })).body;
    t.is(
      (await operations!.post('/v1/publishers', { name: 'Made Elsewhere', contactEmail: 'a@b.example', country: 'DE' }, ops.token)).status,
      201,
    );
    t.is((await readInvoices(billing!, ops.token)).status, 200);

    const cases = [
      {
        where: 'operations',
        token: finance,
        here: () => readPublishers(operations!, finance.token),
        there: () => readInvoices(billing!, finance.token),
      },
      { where: 'billing', token: ops, here: () => readInvoices(billing!, ops.token), there: () => readPublishers(operations!, ops.token) },
    ];
    for (const { where, token, here, there } of cases) {
      const on = where === 'operations' ? operations! : billing!;
      const sent = performance.now();
      t.is((await on.request('DELETE', `/v1/tokens/${token.id}`)).status, 204);
      const revoked = performance.now();
      t.is((await here()).status, 401, 'refused at once where it was revoked');
      let status = 0;
      let polls = 0;
      for (; status !== 401 && performance.now() - revoked < 5_000; polls++) status = (await there()).status;
      const refused = performance.now();
      t.is(status, 401);
      t.log(
        `revoked on ${where}: refused on the other process ${(refused - sent).toFixed(0)} ms after the DELETE was sent (${(refused - revoked).toFixed(0)} ms after its 204, ${polls} request${polls > 1 ? 's' : ''} there)`,
      );
      t.true(refused - sent < 1_000, 'within a second');
    }
    const [opsRows, billingRows] = await Promise.all(
      [operations!, billing!].map((n) => n.app.databases.get('platform')!.knex('tokens').select('id', 'revoked_at').orderBy('id')),
    );
    t.deepEqual(opsRows, billingRows, 'both replicas hold the same tokens and revocations');
  });

  test(`[${dialect}] own stores: while the process that made the tokens is down the other keeps serving them and manages tokens; back up, it catches up before it is ready`, async (t) => {
    const [operations, billing] = await bootSplit(t, dialect, [['operations'], ['billing']], { modules, ownStores: true });
    const kept = await tokenKnownTo(operations!, billing!, 'finance');
    const doomed = await tokenKnownTo(operations!, billing!, 'finance');
    await operations!.stop();

    for (let i = 0; i < 20; i++) t.is((await readInvoices(billing!, kept.token)).status, 200);
    t.is((await billing!.request('DELETE', `/v1/tokens/${doomed.id}`)).status, 204);
    const madeMeanwhile = (await billing!.post('/v1/tokens', { role: 'ops' })).body;
    t.is((await readInvoices(billing!, doomed.token)).status, 401);
    const waiting = (await billing!.get('/ready', null)).body.events.platform;
    t.is(waiting.pending + waiting.inFlight, 2, 'the two changes wait for operations');
    t.is(waiting.dead, 0);

    const restarted = performance.now();
    await operations!.restart();
    await waitUntil(async () => (await operations!.get('/ready', null)).status === 200, 10_000, 'operations ready');
    t.log(`operations ready ${(performance.now() - restarted).toFixed(0)} ms after its restart began`);
    t.is((await readPublishers(operations!, doomed.token)).status, 401, 'the revocation it missed is refused as soon as it is ready');
    t.is((await readPublishers(operations!, madeMeanwhile.token)).status, 200, 'the token made while it was down works');
    t.is((await readPublishers(operations!, kept.token)).status, 200);
    await waitUntil(
      async () => (await billing!.app.databases.get('platform')!.knex('outbox').whereNot({ status: 'delivered' })).length === 0,
      10_000,
      'billing delivered its waiting changes',
    );
    const rows = await billing!.app.databases.get('platform')!.knex('outbox').select('status', 'attempts');
    t.deepEqual(
      rows.map((r) => [r.status, r.attempts]),
      [
        ['delivered', 1],
        ['delivered', 1],
      ],
      'the outage cost no attempts',
    );
  });

  test(`[${dialect}] own stores behind one ingress: the failed-authentication limiter locks nobody out, and Idempotency-Keys live with the process that serves the request`, async (t) => {
    const [operations, billing] = await bootSplit(t, dialect, [['operations'], ['billing']], { modules, ownStores: true });
    const api = clientFor(await startIngress(t, [{ prefix: BILLING_PATHS, target: billing!.url }], operations!.url));
    const tokens = [];
    for (let i = 0; i < 6; i++)
      tokens.push((await tokenKnownTo(i % 2 ? operations! : billing!, i % 2 ? billing! : operations!, 'finance')).token);
    // 150 requests from one address, past the 100 failures after which it would be refused (429) were tokens unknown.
    const statuses = new Set<number>();
    for (let i = 0; i < 150; i++) {
      const token = tokens[i % tokens.length]!;
      statuses.add((await (i % 3 ? readInvoices(api, token) : readPublishers(api, token))).status);
    }
    t.deepEqual([...statuses], [200]);

    const ops = await tokenKnownTo(billing!, operations!, 'ops');
    const register = () =>
      api.post('/v1/publishers', { name: 'Keyed', contactEmail: 'k@k.example', country: 'FR' }, ops.token, {
        'idempotency-key': 'register-1',
      });
    const first = await register();
    const replay = await register();
    t.is(first.status, 201);
    t.is(replay.headers.get('idempotent-replayed'), 'true');
    t.is(replay.body.id, first.body.id);
    const finance = tokens[0]!;
    const run = () => api.post('/v1/invoice-runs', { period: '2026-01' }, finance, { 'idempotency-key': 'run-1' });
    const started = await run();
    t.is(started.status, 202);
    t.is((await run()).body.id, started.body.id);
    const keys = async (node: typeof operations) =>
      (await node!.app.databases.get('platform')!.knex('idempotency_keys').select('key')).map((r) => r.key);
    t.deepEqual(await keys(operations), ['register-1']);
    t.deepEqual(await keys(billing), ['run-1']);
  });
}
