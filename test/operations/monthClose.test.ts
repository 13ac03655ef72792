import test from 'ava';
import fc from 'fast-check';
import type { operationsContract, PublisherEarnings } from '../../modules/operations/contract.ts';
import type { Facade } from '../../src/kernel/index.ts';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { bootOperations } from './setup.ts';

const clock = { now: () => new Date('2026-10-15T12:00:00.000Z') };
const row = (adUnitId: string, date: string, revenueMicros: number) => ({ adUnitId, date, impressions: 10, clicks: 1, revenueMicros });

/** What a draft of this month bills, as Billing sends it with a close. */
const billed = (earnings: PublisherEarnings) =>
  earnings.apps.filter((a) => a.grossMicros > 0).map(({ appId, grossMicros, impressions }) => ({ appId, grossMicros, impressions }));

async function setup(t: Parameters<typeof bootOperations>[0], dialect: (typeof dialects)[number]) {
  const booted = await bootOperations(t, dialect, { clock });
  const facade = booted.api.app.facades.resolve<Facade<typeof operationsContract>>('operationsFacade');
  const seeded = await booted.seed();
  const put = (rows: unknown[]) => booted.api.request('PUT', '/v1/delivery-reports', { token: booted.ops, body: { rows } });
  const earnings = async (month: string) =>
    (await facade.earningsForMonth({ publisherIds: [seeded.publisherId], month }))[0] as PublisherEarnings;
  const attempt = (invoiceId: string, fence: number, period = '2026-09') => ({ publisherId: seeded.publisherId, period, invoiceId, fence });
  return { ...booted, ...seeded, facade, put, earnings, attempt };
}

for (const dialect of dialects) {
  test(`[${dialect}] closeMonth closes only on the month's figures at that instant: a stale draft gets the fresh figures and the month stays open`, async (t) => {
    const { facade, put, adUnitId, earnings, attempt } = await setup(t, dialect);
    t.is((await put([row(adUnitId, '2026-09-01', 100_000_000)])).status, 200);
    const draft = billed(await earnings('2026-09'));
    t.is((await put([row(adUnitId, '2026-09-02', 900_000_000)])).status, 200, 'a late row lands before any close');

    const stale = await facade.closeMonth({ ...attempt('inv_1', 1), expected: draft });
    t.is(stale.outcome, 'stale');
    t.is(stale.earnings!.grossMicros, 1_000_000_000);
    t.is((await put([row(adUnitId, '2026-09-03', 1)])).status, 200, 'the month is still open');

    const fresh = billed(await earnings('2026-09'));
    t.like(await facade.closeMonth({ ...attempt('inv_1', 2), expected: fresh }), { outcome: 'closed' });
    const refused = await put([row(adUnitId, '2026-09-04', 1)]);
    t.is(refused.status, 409);
    t.is(refused.body.code, 'OPERATIONS.PERIOD_CLOSED');
  });

  test(`[${dialect}] closes are fenced: an older or released attempt cannot close, a release reopens only its own close`, async (t) => {
    const { facade, put, adUnitId, attempt } = await setup(t, dialect);
    const close = (invoiceId: string, fence: number) => facade.closeMonth({ ...attempt(invoiceId, fence), expected: [] });
    t.is((await close('inv_1', 5)).outcome, 'closed');
    t.is((await close('inv_1', 5)).outcome, 'closed', 'the same attempt again (a lost answer) is answered again');
    t.is((await close('inv_1', 3)).outcome, 'superseded');
    t.deepEqual(await facade.releaseMonth(attempt('inv_1', 3)), { released: false }, 'not the closing attempt');
    t.deepEqual(await facade.releaseMonth(attempt('inv_2', 5)), { released: false }, 'not the closing invoice');
    t.is((await put([row(adUnitId, '2026-09-01', 1)])).status, 409);

    t.deepEqual(await facade.releaseMonth(attempt('inv_1', 5)), { released: true });
    t.deepEqual(await facade.releaseMonth(attempt('inv_1', 5)), { released: false }, 'a release is idempotent');
    t.is((await close('inv_1', 5)).outcome, 'superseded', 'a released attempt (given up by Billing) can never close again');
    t.is((await put([row(adUnitId, '2026-09-01', 1)])).status, 200);
    t.is((await close('inv_1', 6)).outcome, 'stale', 'a new attempt is checked against the new row');
  });

  test(`[${dialect}] a later invoice's close replaces a voided one's; the voided invoice's event then leaves the month closed`, async (t) => {
    const { facade, billing, put, adUnitId, publisherId, attempt, api } = await setup(t, dialect);
    t.is((await facade.closeMonth({ ...attempt('inv_old', 1), expected: [] })).outcome, 'closed');
    t.is((await facade.closeMonth({ ...attempt('inv_new', 2), expected: [] })).outcome, 'closed');
    await billing.voidInvoice({
      invoiceId: 'inv_old',
      publisherId,
      period: '2026-09',
      number: 'INV-2026-000001',
      wasIssued: true,
      voidedAt: clock.now().toISOString(),
    });
    const operations = api.app.databases.get('operations')!.knex;
    await waitUntil(() => operations('inbox').where({ handler: 'operations.reopenMonth' }).first(), 5_000, 'the void to be handled');
    t.is((await put([row(adUnitId, '2026-09-01', 1)])).status, 409, 'inv_new still holds the month');
    await billing.voidInvoice({
      invoiceId: 'inv_new',
      publisherId,
      period: '2026-09',
      number: 'INV-2026-000002',
      wasIssued: true,
      voidedAt: clock.now().toISOString(),
    });
    const reopens = async () => (await operations('inbox').where({ handler: 'operations.reopenMonth' })).length;
    await waitUntil(async () => (await reopens()) === 2, 5_000, 'the second void to be handled');
    t.is((await put([row(adUnitId, '2026-09-01', 1)])).status, 200, 'voiding inv_new, which held the month, reopens it');
  });

  test(`[${dialect}] only ended months can be closed`, async (t) => {
    const { facade, attempt } = await setup(t, dialect);
    const error = await t.throwsAsync(facade.closeMonth({ ...attempt('inv_1', 1, '2026-10'), expected: [] }));
    t.is((error as { code?: string }).code, 'OPERATIONS.PERIOD_NOT_ENDED');
  });

  test(`[${dialect}] writers racing closes: every row answered 200 is in the closed figures, every row after the close is 409 (random interleavings)`, async (t) => {
    const { facade, put, api, ops, appId, earnings, attempt } = await setup(t, dialect);
    const units: string[] = [];
    for (let i = 0; i < 4; i++)
      units.push((await api.post(`/v1/apps/${appId}/ad-units`, { name: `u${i}`, format: 'native' }, ops)).body.id as string);
    let fence = 0;
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ unit: fc.nat(3), day: fc.integer({ min: 1, max: 28 }), micros: fc.integer({ min: 1, max: 1_000_000 }) }), {
          minLength: 5,
          maxLength: 25,
        }),
        fc.nat(24),
        async (writes, closeAfter) => {
          const period = `20${String(10 + round++).padStart(2, '0')}-01`; // a fresh month each run
          const answers: Promise<{ status: number; rows: ReturnType<typeof row>[]; text: string }>[] = [];
          let closed: PublisherEarnings | null = null;
          const closer = async () => {
            while (closed === null) {
              const now = await earnings(period);
              const answer = await facade.closeMonth({ ...attempt('inv_race', ++fence, period), expected: billed(now) });
              if (answer.outcome === 'closed') closed = answer.earnings;
            }
          };
          let closing: Promise<void> | null = null;
          for (const [i, w] of writes.entries()) {
            if (i === Math.min(closeAfter, writes.length - 1)) closing = closer();
            const rows = [row(units[w.unit]!, `${period}-${String(w.day).padStart(2, '0')}`, w.micros)];
            answers.push(put(rows).then((res) => ({ status: res.status, rows, text: res.text })));
          }
          const settled = await Promise.all(answers);
          await closing;
          const final = await earnings(period);
          // Nothing changed the month after the close answered, and what was accepted is what was closed.
          t.deepEqual(billed(final), billed(closed!));
          for (const answer of settled) t.true([200, 409].includes(answer.status), answer.text);
          const accepted = new Map<string, number>();
          for (const answer of settled.filter((a) => a.status === 200)) {
            for (const r of answer.rows) accepted.set(`${r.adUnitId} ${r.date}`, r.revenueMicros);
          }
          const rows = await api.app.databases
            .get('operations')!
            .knex('delivery_reports')
            .where('day', 'like', `${period}-%`)
            .select('ad_unit_id', 'day');
          t.deepEqual(
            rows.map((r) => `${r.ad_unit_id} ${r.day}`).sort(),
            [...accepted.keys()].sort(),
            'rows answered 409 were not written',
          );
        },
      ),
      { numRuns: 4 },
    );
  });
}
