import test from 'ava';
import { shareMicros } from '../../src/kernel/index.ts';
import { dialects } from '../helpers/databases.ts';
import { bootTopology, eventually, seedPublisher, topologiesFor } from './harness.ts';

for (const dialect of dialects) {
  for (const topology of topologiesFor(dialect)) {
    test(`[${dialect}/${topology}] the read routes and token management answer the same in either topology`, async (t) => {
      const api = await bootTopology(t, dialect, topology);
      const [ops, finance] = [await api.token('ops'), await api.token('finance')];
      const seeded = await seedPublisher(api, ops, 1_000_001, 2);

      const publishers = await api.get('/v1/publishers?status=active&limit=5', finance);
      t.is(publishers.status, 200);
      t.deepEqual(
        publishers.body.data.map((p: { id: string }) => p.id),
        [seeded.publisherId],
      );
      const units = await api.get(`/v1/apps/${seeded.appId}/ad-units`, finance);
      t.deepEqual(
        units.body.data.map((u: { id: string }) => u.id),
        [seeded.adUnitId],
      );
      const earnings = await api.get(`/v1/publishers/${seeded.publisherId}/earnings?from=2026-03-01&to=2026-03-31`, finance);
      t.like(earnings.body, { grossMicros: 2_000_002, shareMicros: Number(shareMicros(2_000_002, 7000)) });

      // Tokens live in the shared platform store: revoked through one process, refused by both (within a second
      // by a process that shares the store without hearing of the change: it reads a token in use again after 500 ms).
      const created = await api.post('/v1/tokens', { role: 'finance', name: 'temporary' });
      t.is(created.status, 201);
      t.true((await api.get('/v1/tokens')).body.data.some((x: { id: string }) => x.id === created.body.id));
      t.is((await api.get('/v1/invoices', created.body.token)).status, 200);
      t.is((await api.request('DELETE', `/v1/tokens/${created.body.id}`)).status, 204);
      for (const [path, what] of [
        ['/v1/invoices', 'a Billing route'],
        ['/v1/publishers', 'an Operations route'],
      ] as const) {
        await eventually(
          () => api.get(path, created.body.token),
          (res) => res.status === 401,
          `${what} refusing it`,
          1_000,
        );
      }
    });
  }
}
