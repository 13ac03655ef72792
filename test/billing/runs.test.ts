import test, { type ExecutionContext } from 'ava';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { PERIOD, bootBilling, type BillingTestApp } from './billingApp.ts';

/** Holds earnings calls until released, so a test can look at a run while it is running. */
function gate(t: ExecutionContext, billing: BillingTestApp) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  billing.stub.beforeEarnings = () => opened;
  // A failed assertion must not leave the worker held: its app could never close.
  t.teardown(() => open());
  return { open, calls: () => earningsCalls(billing) };
}

const earningsCalls = (billing: BillingTestApp) => billing.stub.calls.filter((c) => c.method === 'earningsForMonth').length;
const runOf = (billing: BillingTestApp, id: string) => billing.api.get(`/v1/invoice-runs/${id}`, billing.finance).then((r) => r.body);

for (const dialect of dialects) {
  test(`[${dialect}] a run is a job: 202, progress visible page by page, one earnings call per page`, async (t) => {
    const billing = await bootBilling(t, dialect, { run: { pageSize: 2 } });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await billing.earner(name, 1_000_000);
    const held = gate(t, billing);

    const queued = await billing.api.post('/v1/invoice-runs', { period: PERIOD }, billing.finance);
    t.is(queued.status, 202);
    t.like(queued.body, {
      period: PERIOD,
      status: 'queued',
      total: 5,
      processed: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      failed: 0,
      startedAt: null,
      finishedAt: null,
    });
    t.is(queued.headers.get('location'), `/v1/invoice-runs/${queued.body.id}`);

    await waitUntil(async () => held.calls() === 1, 10_000, 'the first page');
    t.like(await runOf(billing, queued.body.id), { status: 'running', processed: 0, total: 5 });
    held.open();
    const done = await waitUntil(async () => {
      const run = await runOf(billing, queued.body.id);
      return run.status === 'succeeded' ? run : null;
    });
    t.like(done, { total: 5, processed: 5, created: 5, updated: 0, skipped: 0, failed: 0 });
    const calls = billing.stub.calls
      .filter((c) => c.method === 'earningsForMonth')
      .map((c) => (c.input as { publisherIds: string[] }).publisherIds);
    t.deepEqual(
      calls.map((ids) => ids.length),
      [2, 2, 1],
      'one call per page of accounts',
    );
    t.deepEqual(calls.flat(), [...calls.flat()].sort(), 'pages in publisher id order');
  });

  test(`[${dialect}] two runs of one month at once: one 202, one 409; another month is independent`, async (t) => {
    const billing = await bootBilling(t, dialect);
    await billing.earner('solo', 5_000_000);
    const held = gate(t, billing);
    const post = (period: string) => billing.api.post('/v1/invoice-runs', { period }, billing.finance);
    const answers = await Promise.all([post(PERIOD), post(PERIOD)]);
    t.deepEqual(answers.map((a) => a.status).sort(), [202, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    t.is(refused.body.code, 'BILLING.RUN_IN_PROGRESS');
    t.is((await post('2026-02')).status, 202);
    held.open();
    const winner = answers.find((a) => a.status === 202)!;
    await waitUntil(async () => (await runOf(billing, winner.body.id)).status === 'succeeded');
    t.is((await post(PERIOD)).status, 202, 'once finished, the month may run again');
  });

  test(`[${dialect}] re-runs converge: drafts recomputed, issued and paid untouched, a new draft only where the invoice was voided`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { stub, api, finance } = billing;
    const app = (gross: number) => [{ appId: 'app_1', name: 'Game', impressions: 100, grossMicros: gross }];
    const same = await billing.earner('same', 10_000_000);
    const changed = await billing.earner('changed', 10_000_000);
    const issued = await billing.earner('issued', 10_000_000);
    const voided = await billing.earner('voided', 10_000_000);
    const dropped = await billing.earner('dropped', 10_000_000);
    const idle = await billing.publisher('idle');

    t.like(await billing.run(), { status: 'succeeded', total: 6, processed: 6, created: 5, updated: 0, skipped: 1, failed: 0 });
    const issuedDraft = await billing.draftOf(issued);
    t.is((await billing.issue(issuedDraft.id)).status, 200);
    const voidedDraft = await billing.draftOf(voided);
    t.is((await billing.issue(voidedDraft.id)).status, 200);
    t.is((await billing.patch(`/v1/invoices/${voidedDraft.id}`, { status: 'void', reason: 'wrong share' })).status, 200);

    stub.setEarnings(PERIOD, changed, app(20_000_000));
    stub.setEarnings(PERIOD, issued, app(20_000_000));
    stub.setEarnings(PERIOD, voided, app(30_000_000));
    stub.setEarnings(PERIOD, dropped, app(0));
    const changedBefore = await billing.draftOf(changed);
    const sameBefore = await billing.draftOf(same);

    t.like(await billing.run(), { status: 'succeeded', processed: 6, created: 1, updated: 2, skipped: 3, failed: 0 });
    t.like(await billing.draftOf(same), { id: sameBefore.id, version: 1, totalMinor: 700 });
    t.like(await billing.draftOf(changed), { id: changedBefore.id, version: 2, totalMinor: 1_400 });
    const [stillIssued] = await billing.invoicesOf(issued);
    t.like(stillIssued, { id: issuedDraft.id, status: 'issued', totalMinor: 700 });
    const voidedInvoices = await billing.invoicesOf(voided);
    t.deepEqual(voidedInvoices.map((i) => i.status).sort(), ['draft', 'void']);
    t.is(voidedInvoices.find((i) => i.status === 'draft').totalMinor, 2_100);
    const [droppedDraft] = await billing.invoicesOf(dropped);
    t.like(droppedDraft, { status: 'void', voidReason: 'no earnings for the period when recomputed' });
    t.deepEqual(await billing.invoicesOf(idle), []);

    // Nothing changed since: a third run changes nothing.
    t.like(await billing.run(), { processed: 6, created: 0, updated: 0, skipped: 6, failed: 0 });
    const all = (await api.get(`/v1/invoices?period=${PERIOD}&limit=100`, finance)).body.data;
    t.is(all.length, 6, 'five publishers with earnings, plus the void beside its new draft');
    const live = all.filter((i: { status: string }) => i.status !== 'void');
    t.is(new Set(live.map((i: { publisherId: string }) => i.publisherId)).size, live.length, 'one live invoice per publisher');
  });

  test(`[${dialect}] the database itself refuses a second live invoice for a publisher and month`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const id = await billing.earner('dup', 10_000_000);
    await billing.run();
    const draft = await billing.db('invoices').where({ publisher_id: id }).first();
    const copy = { ...draft, id: 'inv_copy', number: null };
    await t.throwsAsync(billing.db('invoices').insert(copy), { any: true, message: /unique|UNIQUE/ });
    await billing.db('invoices').insert({ ...copy, status: 'void' });
    t.pass('a void one may sit beside it');
  });

  test(`[${dialect}] run requests: 422 for bad periods, months that have not ended (UTC) and unknown fields, 404, 401 and 403`, async (t) => {
    const billing = await bootBilling(t, dialect, { clock: { now: () => new Date('2026-04-30T23:59:59.999Z') } });
    const { api, finance, ops } = billing;
    for (const period of ['2026-13', '2026-3', '2026-00', '26-03', 202603]) {
      const res = await api.post('/v1/invoice-runs', { period }, finance);
      t.is(res.status, 422, String(period));
      t.is(res.body.errors[0].path, '/period');
    }
    for (const period of ['2999-01', '2026-05', '2026-04']) {
      const notEnded = await api.post('/v1/invoice-runs', { period }, finance);
      t.is(notEnded.status, 422, period);
      t.is(notEnded.body.code, 'BILLING.PERIOD_NOT_ENDED');
      t.deepEqual(notEnded.body.errors, [{ path: '/period', message: 'must be a month that has ended' }]);
    }
    t.is((await api.post('/v1/invoice-runs', { period: '2026-03' }, finance)).status, 202, 'the last month that has ended');
    t.is((await api.post('/v1/invoice-runs', { period: PERIOD, status: 'succeeded' }, finance)).status, 422);
    t.is((await api.post('/v1/invoice-runs', {}, finance)).status, 422);
    t.is(
      (
        await api.request('POST', '/v1/invoice-runs', {
          token: finance,
          raw: '{"period":',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      400,
    );
    const missing = await api.get('/v1/invoice-runs/run_nope', finance);
    t.is(missing.status, 404);
    t.is(missing.body.code, 'BILLING.RUN_NOT_FOUND');
    t.is((await api.post('/v1/invoice-runs', { period: PERIOD }, null)).status, 401);
    t.is((await api.post('/v1/invoice-runs', { period: PERIOD }, ops)).status, 403);
    const own = await api.token('publisher', await billing.publisher('runner'));
    t.is((await api.post('/v1/invoice-runs', { period: PERIOD }, own)).status, 403);
    const run = await api.post('/v1/invoice-runs', { period: PERIOD }, finance);
    t.is((await api.get(`/v1/invoice-runs/${run.body.id}`, ops)).status, 403);
    t.is((await api.get(`/v1/invoice-runs/${run.body.id}`, own)).status, 403);
  });

  test(`[${dialect}] an account that fails is counted and rolled back alone; the rest of its page commits; a re-run retries it`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const [a, b, c] = await billing.earners(3, 1_000_000);
    // Make the database refuse b's invoice, as any unexpected error would.
    const refuse =
      dialect === 'sqlite'
        ? [`CREATE TRIGGER refuse_b BEFORE INSERT ON invoices WHEN NEW.publisher_id = '${b}' BEGIN SELECT RAISE(ABORT, 'refused'); END`]
        : [
            `CREATE FUNCTION refuse_b() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
            `CREATE TRIGGER refuse_b BEFORE INSERT ON invoices FOR EACH ROW WHEN (NEW.publisher_id = '${b}') EXECUTE FUNCTION refuse_b()`,
          ];
    for (const sql of refuse) await billing.db.raw(sql);
    t.like(await billing.run(), { status: 'succeeded', processed: 3, created: 2, failed: 1 });
    t.is((await billing.invoicesOf(a!)).length, 1);
    t.deepEqual(await billing.invoicesOf(b!), []);
    t.deepEqual(await billing.db('invoice_lines').whereNotIn('invoice_id', billing.db('invoices').select('id')), [], 'no orphan lines');
    t.is((await billing.invoicesOf(c!)).length, 1);

    await billing.db.raw(dialect === 'sqlite' ? 'DROP TRIGGER refuse_b' : 'DROP TRIGGER refuse_b ON invoices');
    t.like(await billing.run(), { processed: 3, created: 1, skipped: 2, failed: 0 });
  });

  test(`[${dialect}] a run whose earnings calls keep failing ends failed with the reason; the month can run again`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const id = await billing.earner('flaky', 10_000_000);
    billing.stub.beforeEarnings = () => {
      throw new Error('operations is down');
    };
    const failed = await billing.run();
    t.like(failed, { status: 'failed', processed: 0 });
    t.regex(failed.error, /operations is down/);
    t.is(earningsCalls(billing), 2, 'retried once (retryDelaysMs) before giving up');

    billing.stub.beforeEarnings = null;
    t.like(await billing.run(), { status: 'succeeded', created: 1 });
    t.is((await billing.invoicesOf(id)).length, 1);
  });
}
