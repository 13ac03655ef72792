/**
 * Catch-up on start: Billing extracted from a monolith starts, for the first
 * time, on a store of its own that has never seen a token. Nothing was queued
 * for it (the monolith had no peers), so what it knows it learns by reading
 * Operations' replica before it reports ready.
 */
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { dialects } from '../helpers/databases.ts';
import { bootSplit } from '../helpers/split.ts';
import { waitUntil } from '../helpers/wait.ts';

const modules = [operationsModule, billingModule];

for (const dialect of dialects) {
  test(`[${dialect}] a process that starts for the first time after tokens were made elsewhere knows them, their revocations and suspensions, once it is ready`, async (t) => {
    const [monolith] = await bootSplit(t, dialect, [['operations', 'billing']], { modules, ownStores: true });
    const publisher = (await monolith!.post('/v1/publishers', { name: 'Before The Split', contactEmail: 'p@split.example', country: 'NL' }))
      .body;
    const portal = (await monolith!.post('/v1/tokens', { role: 'publisher', publisherId: publisher.id })).body;
    const finance = (await monolith!.post('/v1/tokens', { role: 'finance' })).body;
    const revoked = (await monolith!.post('/v1/tokens', { role: 'finance' })).body;
    t.is((await monolith!.request('DELETE', `/v1/tokens/${revoked.id}`)).status, 204);
    t.is((await monolith!.request('PATCH', `/v1/publishers/${publisher.id}`, { body: { status: 'suspended' } })).status, 200);
    await waitUntil(
      async () => (await monolith!.get('/v1/invoices', portal.token)).status === 403,
      5_000,
      'the suspension on the monolith',
    );
    await monolith!.stop();

    // Operations keeps the monolith's store; Billing's is new.
    const started = performance.now();
    const [operations, billing] = await bootSplit(t, dialect, [['operations'], ['billing']], {
      modules,
      ownStores: true,
      stores: [monolith!.store],
    });
    await waitUntil(async () => (await billing!.get('/ready', null)).status === 200, 10_000, 'billing ready');
    t.log(`billing ready ${(performance.now() - started).toFixed(0)} ms after both processes began to start`);

    t.is((await billing!.get('/v1/invoices', finance.token)).status, 200);
    t.is((await billing!.get('/v1/invoices', revoked.token)).status, 401);
    const suspended = await billing!.get('/v1/invoices', portal.token);
    t.is(suspended.status, 403);
    t.is(suspended.body.code, 'PUBLISHER_SUSPENDED');
    const made = (await billing!.post('/v1/tokens', { role: 'ops' })).body;
    await waitUntil(
      async () => (await operations!.get('/v1/tokens?limit=100')).body.data.some((x: { id: string }) => x.id === made.id),
      5_000,
      'operations knowing it',
    );
    t.is((await operations!.get('/v1/publishers', made.token)).status, 200, 'and tokens made on the new process reach the old one');
  });
}
