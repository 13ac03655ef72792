/**
 * Suspending a publisher suspends its portal tokens on every process within a
 * second (403 PUBLISHER_SUSPENDED on each route a publisher may use), tokens
 * made while it is suspended included; reactivating it restores them. The
 * refusals are not counted as failed authentications, so nothing is held up
 * afterwards. `instances`: two processes running everything on one store, where
 * no message passes (each reads a token again when its view is 500 ms old).
 */
import test, { type ExecutionContext } from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { dialects, type Dialect } from '../helpers/databases.ts';
import type { Booted } from '../helpers/server.ts';
import { boot } from '../helpers/server.ts';
import { bootSplit } from '../helpers/split.ts';
import { waitUntil } from '../helpers/wait.ts';

const modules = [operationsModule, billingModule];
type Topology = 'monolith' | 'split' | 'instances';

/** The processes of a topology, Operations' first (the monolith is both). */
async function processes(t: ExecutionContext, dialect: Dialect, topology: Topology): Promise<Booted[]> {
  if (topology === 'monolith') return [await boot(t, dialect, { modules })];
  if (topology === 'instances') return bootSplit(t, dialect, [modules.map((m) => m.name), modules.map((m) => m.name)], { modules });
  return bootSplit(t, dialect, [['operations'], ['billing']], { modules, ownStores: true });
}

/** Every route a publisher token may use, on the process that serves it. */
function portalReads(ids: { publisherId: string; appId: string }) {
  return [
    { module: 'operations', path: `/v1/publishers/${ids.publisherId}` },
    { module: 'operations', path: `/v1/publishers/${ids.publisherId}/apps` },
    { module: 'operations', path: `/v1/apps/${ids.appId}/ad-units` },
    { module: 'operations', path: `/v1/publishers/${ids.publisherId}/earnings?from=2026-03-01&to=2026-03-31` },
    { module: 'operations', path: `/v1/publishers/${ids.publisherId}/dashboard` },
    { module: 'billing', path: `/v1/invoices?publisherId=${ids.publisherId}` },
  ];
}

for (const dialect of dialects) {
  for (const topology of ['monolith', 'split', 'instances'] as const) {
    test(`[${dialect}] [${topology}] a suspended publisher's portal tokens are refused with 403 PUBLISHER_SUSPENDED everywhere, and work again once it is reactivated`, async (t) => {
      const nodes = await processes(t, dialect, topology);
      const operations = nodes[0]!;
      const serving = (module: string) => (module === 'billing' ? nodes.at(-1)! : operations);
      const publisherId = (
        await operations.post('/v1/publishers', { name: 'Suspended Games', contactEmail: 's@games.example', country: 'IT' })
      ).body.id;
      const appId = (await operations.post(`/v1/publishers/${publisherId}/apps`, { name: 'Quiet', platform: 'ios', bundleId: 'it.quiet' }))
        .body.id;
      const reads = portalReads({ publisherId, appId });
      // One read per process, to watch a change reach it.
      const probes = nodes.map((node, i) => ({ node, path: reads[i === 0 ? 0 : reads.length - 1]!.path }));
      const everywhere = (status: number, token: { token: string }, what: string) =>
        Promise.all(
          probes.map(({ node, path }) => waitUntil(async () => (await node.get(path, token.token)).status === status, 1_000, what)),
        );
      const known = (token: { id: string }) =>
        Promise.all(
          nodes.map((n) =>
            waitUntil(
              async () => (await n.get('/v1/tokens?limit=100')).body.data.some((x: { id: string }) => x.id === token.id),
              5_000,
              'the token everywhere',
            ),
          ),
        );
      const portal = (await nodes.at(-1)!.post('/v1/tokens', { role: 'publisher', publisherId })).body;
      await known(portal);
      for (const read of reads) t.is((await serving(read.module).get(read.path, portal.token)).status, 200, read.path);

      const patch = (status: string) => operations.request('PATCH', `/v1/publishers/${publisherId}`, { body: { status } });
      t.is((await patch('suspended')).status, 200);
      const suspendedAt = performance.now();
      await everywhere(403, portal, 'the suspension');
      t.log(`suspension refused on every process within ${(performance.now() - suspendedAt).toFixed(0)} ms`);
      // Made while suspended: refused the same way from the start.
      const madeWhileSuspended = (await operations.post('/v1/tokens', { role: 'publisher', publisherId })).body;
      await known(madeWhileSuspended);
      for (const token of [portal, madeWhileSuspended]) {
        for (const read of reads) {
          const refused = await serving(read.module).get(read.path, token.token);
          t.like({ status: refused.status, code: refused.body.code }, { status: 403, code: 'PUBLISHER_SUSPENDED' }, read.path);
        }
      }
      // More refusals than the 10 failures that would hold a token up: they are not counted as failures.
      for (let i = 0; i < 12; i++) t.is((await serving('billing').get('/v1/invoices', portal.token)).status, 403);

      t.is((await patch('active')).status, 200);
      const reactivatedAt = performance.now();
      // Each token on each process: a process reads each token again on its own schedule (instances).
      await Promise.all([portal, madeWhileSuspended].map((token) => everywhere(200, token, 'the reactivation')));
      t.log(`reactivation served on every process within ${(performance.now() - reactivatedAt).toFixed(0)} ms`);
      for (const token of [portal, madeWhileSuspended]) {
        for (const read of reads)
          t.is((await serving(read.module).get(read.path, token.token)).status, 200, `${read.path} after reactivation`);
      }
    });
  }
}
