import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { bootTopology, eventually, runInvoices, seedPublisher, topologiesFor } from './harness.ts';

for (const dialect of dialects) {
  for (const topology of topologiesFor(dialect)) {
    test(`[${dialect}/${topology}] a publisher token sees its own issued invoices and nothing else, on every route`, async (t) => {
      const api = await bootTopology(t, dialect, topology);
      const [ops, finance] = [await api.token('ops'), await api.token('finance')];
      const mine = await seedPublisher(api, ops);
      const theirs = await seedPublisher(api, ops);
      for (const p of [mine, theirs])
        await eventually(
          () => api.get(`/v1/billing-accounts/${p.publisherId}`, finance),
          (r) => r.status === 200,
          'accounts',
        );
      await runInvoices(api, finance, '2026-03');
      const invoice = async (publisherId: string) => (await api.get(`/v1/invoices?publisherId=${publisherId}`, finance)).body.data[0];
      const [own, other] = [await invoice(mine.publisherId), await invoice(theirs.publisherId)];
      await api.request('PATCH', `/v1/invoices/${own.id}`, { token: finance, body: { status: 'issued' } });
      await api.request('PATCH', `/v1/invoices/${other.id}`, { token: finance, body: { status: 'issued' } });
      const portal = await api.token('publisher', mine.publisherId);

      const listed = await api.get(`/v1/invoices?publisherId=${theirs.publisherId}`, portal);
      t.true(
        listed.status === 200
          ? listed.body.data.every((i: { publisherId: string }) => i.publisherId === mine.publisherId)
          : listed.status === 404,
      );
      t.deepEqual(
        (await api.get('/v1/invoices', portal)).body.data.map((i: { id: string }) => i.id),
        [own.id],
      );
      t.is((await api.get(`/v1/invoices/${own.id}`, portal)).status, 200);
      t.is((await api.get(`/v1/invoices/${other.id}`, portal)).status, 404);
      t.is((await api.get(`/v1/invoices/${other.id}/pdf`, portal)).status, 404);
      t.is((await api.request('PATCH', `/v1/invoices/${own.id}`, { token: portal, body: { status: 'void' } })).status, 403);
      t.is(
        (await api.post(`/v1/invoices/${own.id}/payments`, { amountMinor: 1, receivedOn: '2026-04-01', reference: 'x' }, portal)).status,
        403,
      );
      t.is((await api.get(`/v1/billing-accounts/${mine.publisherId}`, portal)).status, 403);
      t.is((await api.post('/v1/invoice-runs', { period: '2026-03' }, portal)).status, 403);
      t.is((await api.get(`/v1/publishers/${theirs.publisherId}`, portal)).status, 404);
      t.is((await api.get(`/v1/publishers/${theirs.publisherId}/dashboard`, portal)).status, 404);
      t.is((await api.get(`/v1/publishers/${mine.publisherId}/dashboard`, portal)).status, 200);
      t.is((await api.post('/v1/tokens', { role: 'admin' }, portal)).status, 403);
    });
  }
}
