import test from 'ava';
import { MAX_ROW_COUNT, MAX_ROW_REVENUE_MICROS } from '../../modules/operations/deliveryRules.ts';
import { dialects } from '../helpers/databases.ts';
import { bootOperations } from './setup.ts';

const NOW = new Date('2026-10-15T12:00:00.000Z');
const clock = { now: () => NOW };
const row = (adUnitId: string, date: string, revenueMicros = 1_000_000, impressions = 1_000) => ({
  adUnitId,
  date,
  impressions,
  clicks: 1,
  revenueMicros,
});

for (const dialect of dialects) {
  test(`[${dialect}] delivery days run from 2000-01-01 to tomorrow (UTC); earlier or later days are 422`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect, { clock });
    const { adUnitId } = await seed();
    const put = (rows: unknown[]) => api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
    const refused = await put(['0000-01-01', '1999-12-31', '2026-10-17', '2026-10-22', '9999-12-31'].map((day) => row(adUnitId, day)));
    t.is(refused.status, 422);
    t.deepEqual(
      refused.body.errors,
      [0, 1, 2, 3, 4].map((i) => ({ path: `/rows/${i}/date`, message: 'must be between 2000-01-01 and 2026-10-16 (tomorrow, UTC)' })),
    );
    const edges = await put([row(adUnitId, '2000-01-01'), row(adUnitId, '2026-10-16')]);
    t.is(edges.status, 200, edges.text);
  });

  test(`[${dialect}] the same (ad unit, day) twice in one upload is a 422 naming both rows`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect, { clock });
    const [a, b] = [(await seed()).adUnitId, (await seed()).adUnitId];
    const res = await api.request('PUT', '/v1/delivery-reports', {
      token: ops,
      body: { rows: [row(a, '2026-09-01'), row(b, '2026-09-01'), row(a, '2026-09-02'), row(a, '2026-09-01', 5)] },
    });
    t.is(res.status, 422);
    t.deepEqual(res.body.errors, [{ path: '/rows/3', message: 'repeats the adUnitId and date of /rows/0' }]);
  });

  test(`[${dialect}] per-row bounds: at most 10^12 impressions or clicks and 10^13 micros a day; the bounds themselves pass`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect, { clock });
    const { adUnitId } = await seed();
    const put = (rows: unknown[]) => api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
    const over = await put([row(adUnitId, '2026-09-01', MAX_ROW_REVENUE_MICROS + 1), row(adUnitId, '2026-09-02', 1, MAX_ROW_COUNT + 1)]);
    t.is(over.status, 422);
    t.deepEqual(
      over.body.errors.map((e: { path: string }) => e.path),
      ['/rows/0/revenueMicros', '/rows/1/impressions'],
    );
    t.is((await put([row(adUnitId, '2026-09-01', MAX_ROW_REVENUE_MICROS, MAX_ROW_COUNT)])).status, 200);
  });

  test(`[${dialect}] no publisher month may pass 2^53 - 1 micros: the write that would is refused whole, naming its rows`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect, { clock });
    const { publisherId, appId, adUnitId } = await seed();
    const units = [adUnitId];
    while (units.length < 30)
      units.push((await api.post(`/v1/apps/${appId}/ad-units`, { name: `u${units.length}`, format: 'banner' }, ops)).body.id);
    const month = (unitsUsed: string[]) =>
      unitsUsed.flatMap((unit) =>
        Array.from({ length: 31 }, (_, d) => row(unit, `2026-08-${String(d + 1).padStart(2, '0')}`, MAX_ROW_REVENUE_MICROS)),
      );
    // 29 units × 31 days × 10^13 = 8.99 × 10^15: within 2^53 - 1 ≈ 9.007 × 10^15
    t.is((await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: month(units.slice(0, 29)) } })).status, 200);
    const more = await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: month(units.slice(29)) } });
    t.is(more.status, 422);
    t.is(more.body.errorCount, 31);
    t.regex(more.body.errors[0].message, /2026-08 of its publisher past 9007199254740991/);
    const earnings = await api.get(`/v1/publishers/${publisherId}/earnings?from=2026-08-01&to=2026-08-31`, ops);
    t.is(earnings.body.grossMicros, 29 * 31 * MAX_ROW_REVENUE_MICROS, 'nothing of the refused write was kept');
  });

  test(`[${dialect}] an upload of 10,000 garbage rows answers every problem counted, the first 1,000 listed`, async (t) => {
    const { api, ops } = await bootOperations(t, dialect, { clock });
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      adUnitId: '',
      date: `2026-13-${i % 28}`,
      impressions: -1,
      clicks: 'many',
      revenueMicros: 1.5,
    }));
    const res = await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
    t.is(res.status, 422);
    t.is(res.body.errors.length, 1_000);
    t.is(res.body.errorCount, 50_000);
    t.deepEqual(
      res.body.errors
        .slice(0, 5)
        .map((e: { path: string }) => e.path)
        .sort(),
      ['/rows/0/adUnitId', '/rows/0/clicks', '/rows/0/date', '/rows/0/impressions', '/rows/0/revenueMicros'],
    );
    t.true(res.text.length < 150_000, `the answer stays small (${res.text.length} bytes)`);
  });
}
