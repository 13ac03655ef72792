/**
 * What the conformance fuzz found, pinned by name so it stays fixed whatever
 * inputs a later fuzz run happens to draw.
 */
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { seedPublisher } from '../e2e/harness.ts';
import { dialects } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';

const modules = [operationsModule, billingModule];
const MAX = Number.MAX_SAFE_INTEGER;

for (const dialect of dialects) {
  test(`[${dialect}] earnings and the dashboard whose totals pass 2^53 - 1 answer 422 OPERATIONS.TOTAL_TOO_LARGE, not 500`, async (t) => {
    const api = await boot(t, dialect, { modules });
    const ops = await api.token('ops');
    const { publisherId, adUnitId } = await seedPublisher(api, ops, 1, 1);
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    // Two rows of 2^53 - 1 in this month, from before the API bounded rows and months (it refuses them now):
    // their sum has no exact JSON number.
    const days = today.slice(0, 7) === yesterday.slice(0, 7) ? [yesterday, today] : ['2026-05-01', '2026-05-02'];
    const rows = days.map((date) => ({ adUnitId, date, impressions: MAX, clicks: MAX, revenueMicros: MAX }));
    t.is((await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } })).status, 422, 'the door refuses them');
    await api.app.databases
      .get('operations')!
      .knex('delivery_reports')
      .insert(rows.map((r) => ({ ad_unit_id: r.adUnitId, day: r.date, impressions: MAX, clicks: MAX, revenue_micros: MAX })));

    const earnings = await api.get(`/v1/publishers/${publisherId}/earnings?from=${days[0]}&to=${days[1]}`, ops);
    t.is(earnings.status, 422, earnings.text);
    t.is(earnings.body.code, 'OPERATIONS.TOTAL_TOO_LARGE');
    const one = await api.get(`/v1/publishers/${publisherId}/earnings?from=${days[0]}&to=${days[0]}`, ops);
    t.is(one.status, 200, 'one day alone still fits');
    t.is(one.body.grossMicros, MAX);
    if (days[1] === today) {
      const dashboard = await api.get(`/v1/publishers/${publisherId}/dashboard`, ops);
      t.is(dashboard.status, 422, dashboard.text);
    }
  });

  test(`[${dialect}] U+0000 in any input string is refused alike on every database: 422 in a body or query, 404 in a path (PostgreSQL answered 500)`, async (t) => {
    const api = await boot(t, dialect, { modules });
    const ops = await api.token('ops');
    const body = await api.post('/v1/publishers', { name: 'Nul\u0000Studio', contactEmail: 'nul@studio.example', country: 'DE' }, ops);
    t.is(body.status, 422, body.text);
    t.deepEqual(body.body.errors, [{ path: '/name', message: 'must not contain control character U+0000' }]);
    const query = await api.get('/v1/invoices?publisherId=pub_%00', ops);
    t.is(query.status, 422, query.text);
    t.is(query.body.errors[0].path, '/query/publisherId');
    const path = await api.get('/v1/publishers/pub_%00x', ops);
    t.is(path.status, 404, path.text);
    t.is((await api.get('/v1/publishers?limit=1', ops)).body.data.length, 0, 'nothing was written');
  });
}

test('/openapi.json: limit (it has a default) is an optional query parameter, and a route that takes no query still documents the 422 it gives for an unknown one', async (t) => {
  const api = await boot(t, 'sqlite', { modules });
  const doc = (await api.get('/openapi.json', null)).body;
  const limit = doc.paths['/v1/publishers'].get.parameters.find((p: { name: string }) => p.name === 'limit');
  t.false(limit.required);
  t.is((await api.get('/v1/publishers')).status, 200, 'and the server takes a request without it');
  t.truthy(doc.paths['/v1/publishers/{id}'].get.responses['422']);
  t.is((await api.get('/v1/publishers/pub_x?unknown=1')).status, 422);
});
