import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { dialects } from '../helpers/databases.ts';
import { startIngress } from '../helpers/ingress.ts';
import { clientFor } from '../helpers/server.ts';
import { bootSplit } from '../helpers/split.ts';
import { waitUntil } from '../helpers/wait.ts';
import { eventually, runInvoices, seedPublisher } from './harness.ts';

const counter = (text: string, name: string, labels: string) =>
  [...text.matchAll(new RegExp(`^${name}\\{[^}]*${labels}[^}]*\\} (\\d+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);

for (const dialect of dialects) {
  test(`[${dialect}] two instances behind a round-robin balancer: each run, event and idempotent request happens once`, async (t) => {
    const instances = await bootSplit(
      t,
      dialect,
      [
        ['operations', 'billing'],
        ['operations', 'billing'],
      ],
      { modules: [operationsModule, billingModule] },
    );
    const api = clientFor(
      await startIngress(
        t,
        [],
        instances.map((i) => i.url),
      ),
    );
    const [ops, finance] = [await api.token('ops'), await api.token('finance')];
    const seeded = [];
    for (let i = 0; i < 4; i++) seeded.push(await seedPublisher(api, ops));
    for (const s of seeded)
      await eventually(
        () => api.get(`/v1/billing-accounts/${s.publisherId}`, finance),
        (r) => r.status === 200,
        'accounts',
      );

    // Idempotency keys are shared: the replay reaches the other instance and gets the first answer.
    const key = { 'idempotency-key': 'shared-key' };
    const body = { name: 'Once Only', contactEmail: 'once@only.example', country: 'NL' };
    const first = await instances[0]!.post('/v1/publishers', body, ops, key);
    const replay = await instances[1]!.post('/v1/publishers', body, ops, key);
    t.is(first.status, 201);
    t.deepEqual(replay.body, first.body);
    t.is(replay.headers.get('idempotent-replayed'), 'true');

    // One invoice run, claimed by one instance: one earnings call per page in total, one draft each.
    const run = await runInvoices(api, finance, '2026-03');
    t.like(run.body, { status: 'succeeded', created: 4 });
    const metrics = await Promise.all(instances.map(async (i) => (await i.get('/metrics', null)).text));
    t.is(
      metrics.reduce((sum, text) => sum + counter(text, 'seams_facade_calls_total', 'method="earningsForMonth"'), 0),
      1,
    );
    const invoices = await api.get('/v1/invoices?period=2026-03&limit=100', finance);
    t.is(invoices.body.data.length, 4);

    for (const invoice of invoices.body.data)
      await api.request('PATCH', `/v1/invoices/${invoice.id}`, { token: finance, body: { status: 'issued' } });
    // Paying one sends InvoicePaid to Operations (its dashboard's last payment).
    const [paid] = invoices.body.data;
    await api.post(
      `/v1/invoices/${paid.id}/payments`,
      { amountMinor: paid.totalMinor, paidOn: '2026-04-20', bankReference: 'ONCE' },
      finance,
    );

    // Events were dispatched once: every outbox row delivered on its first attempt, by one instance or the other.
    for (const module of ['operations', 'billing']) {
      const outbox = () => instances[0]!.app.databases.get(module)!.knex('outbox').select('status', 'attempts');
      const rows = await eventually(
        outbox,
        (r) => r.length > 0 && r.every((row) => row.status === 'delivered'),
        `${module} events delivered`,
      );
      t.true(
        rows.every((r) => r.attempts === 1),
        `${module}: each event claimed once`,
      );
    }
  });

  // No message passes between instances on one database: each reads a token again when its view is 500 ms old.
  test(`[${dialect}] two instances on one database: a token made on one works on the other at once, and once revoked is refused by it within a second`, async (t) => {
    const [first, second] = await bootSplit(
      t,
      dialect,
      [
        ['operations', 'billing'],
        ['operations', 'billing'],
      ],
      { modules: [operationsModule, billingModule] },
    );
    const ops = (await first!.post('/v1/tokens', { role: 'ops' })).body;
    const read = (node: typeof first, token = ops.token) => node!.get('/v1/publishers', token);
    t.is((await read(second)).status, 200, 'an id unknown a moment ago is read, not refused from memory');
    for (const node of [first, second]) t.is((await read(node)).status, 200);
    t.is((await read(second, `${ops.id}.${'A'.repeat(43)}`)).status, 401, 'a known id with a wrong secret');

    t.is((await first!.request('DELETE', `/v1/tokens/${ops.id}`)).status, 204);
    const revokedAt = performance.now();
    t.is((await read(first)).status, 401, 'refused at once where it was revoked');
    await waitUntil(async () => (await read(second)).status === 401, 1_000, 'the revocation on the other instance');
    t.log(`refused by the other instance within ${(performance.now() - revokedAt).toFixed(0)} ms`);
    for (let i = 0; i < 3; i++) t.is((await read(second)).status, 401);
  });
}
