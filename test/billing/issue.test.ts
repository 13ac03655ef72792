import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { PERIOD, bootBilling } from './billingApp.ts';

/** A clock a test moves: runs and issues happen once the month has ended, unless a test turns it back. */
const movableClock = (iso = '2026-04-10T09:00:00.000Z') => {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => void (now = new Date(next)) };
};

for (const dialect of dialects) {
  test(`[${dialect}] a stale draft is not issued: 409 naming the fresh total, the draft brought up to date, and issued on the next try`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const id = await billing.earner('late', 100_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    t.is(draft.totalMinor, 7_000);
    // A row for the 2nd arrives after the run: Operations' month now says 1,000 USD.
    billing.stub.setEarnings(PERIOD, id, [{ appId: 'app_late', name: 'late Quest', impressions: 2_000, grossMicros: 1_000_000_000 }]);

    const refused = await billing.issue(draft.id, { 'if-match': `"${draft.version}"` });
    t.is(refused.status, 409);
    t.is(refused.body.code, 'BILLING.INVOICE_DRAFT_STALE');
    t.regex(refused.body.detail, /billed 7000 cents, but the month's delivery now comes to 70000 cents/);
    const refreshed = (await billing.api.get(`/v1/invoices/${draft.id}`, billing.finance)).body;
    t.like(refreshed, { status: 'draft', totalMinor: 70_000, version: draft.version + 1 });
    t.deepEqual(
      refreshed.lines.map((l: { impressions: number; grossMicros: number }) => [l.impressions, l.grossMicros]),
      [[2_000, 1_000_000_000]],
    );
    t.is(billing.stub.closes.get(`${id} ${PERIOD}`), undefined, 'the month was not closed');

    t.is((await billing.issue(draft.id, { 'if-match': `"${draft.version}"` })).status, 412, 'the old version is gone');
    const issued = await billing.issue(draft.id, { 'if-match': `"${refreshed.version}"` });
    t.is(issued.status, 200, issued.text);
    t.is(issued.body.totalMinor, 70_000);
    t.like(billing.stub.closes.get(`${id} ${PERIOD}`), { invoiceId: draft.id });
    t.is(
      await billing
        .db('issue_attempts')
        .count({ n: '*' })
        .then((r) => Number(r[0]!.n)),
      0,
      'no attempt left behind',
    );
  });

  test(`[${dialect}] a draft whose month no longer has a share is voided when issued (409), not issued at zero`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const id = await billing.earner('gone', 5_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    billing.stub.setEarnings(PERIOD, id, []);
    const refused = await billing.issue(draft.id);
    t.is(refused.status, 409);
    t.regex(refused.body.detail, /Nothing is left to bill, so the draft was voided/);
    t.is((await billing.api.get(`/v1/invoices/${draft.id}`, billing.finance)).body.status, 'void');
  });

  test(`[${dialect}] only ended months are invoiced: issuing a draft of a month that has not ended (UTC) is 422`, async (t) => {
    const clock = movableClock();
    const billing = await bootBilling(t, dialect, { clock });
    const id = await billing.earner('early', 5_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    clock.set('2026-03-31T23:59:59.000Z');
    const early = await billing.issue(draft.id);
    t.is(early.status, 422);
    t.is(early.body.code, 'BILLING.PERIOD_NOT_ENDED');
    clock.set('2026-04-01T00:00:00.000Z');
    t.is((await billing.issue(draft.id)).status, 200);
  });

  test(`[${dialect}] Operations unreachable while closing: 503, the invoice stays a draft, its close released, and a retry issues it`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const id = await billing.earner('flaky', 5_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    const stub = billing.stub;
    // The close commits in Operations, then its answer is lost on the way back.
    stub.beforeClose = null;
    const closeMonth = billing.api.app.facades.resolve<{ closeMonth: (input: any) => Promise<unknown> }>('operationsFacade');
    const original = closeMonth.closeMonth;
    closeMonth.closeMonth = async (input) => {
      await original(input);
      throw new Error('socket hang up');
    };
    const lost = await billing.issue(draft.id);
    closeMonth.closeMonth = original;
    t.is(lost.status, 503, lost.text);
    t.is(lost.body.code, 'BILLING.OPERATIONS_UNAVAILABLE');
    t.is((await billing.api.get(`/v1/invoices/${draft.id}`, billing.finance)).body.status, 'draft');
    t.like(stub.closes.get(`${id} ${PERIOD}`), { invoiceId: null }, 'the close this attempt made was released');

    const retried = await billing.issue(draft.id);
    t.is(retried.status, 200, retried.text);
    t.like(stub.closes.get(`${id} ${PERIOD}`), { invoiceId: draft.id });
  });

  test(`[${dialect}] an attempt whose process died is given up by the recovery sweep: its close is released, the month reopens`, async (t) => {
    const billing = await bootBilling(t, dialect, { run: { issue: { abandonAfterMs: 300, sweepMs: 50 } } });
    const id = await billing.earner('orphan', 5_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    // What a process killed between the close and the issue leaves: an active attempt, and the month closed for it.
    const [row] = await billing
      .db('issue_attempts')
      .insert({ invoice_id: draft.id, publisher_id: id, period: PERIOD, state: 'active', started_at: new Date().toISOString() })
      .returning('fence');
    const fence = Number(typeof row === 'object' ? row.fence : row);
    billing.stub.closes.set(`${id} ${PERIOD}`, { invoiceId: draft.id, fence });

    await waitUntil(async () => billing.stub.closes.get(`${id} ${PERIOD}`)?.invoiceId === null, 10_000, 'the close to be released');
    await waitUntil(
      async () => Number((await billing.db('issue_attempts').count({ n: '*' }))[0]!.n) === 0,
      5_000,
      'the attempt to be forgotten',
    );
    t.is((await billing.api.get(`/v1/invoices/${draft.id}`, billing.finance)).body.status, 'draft');
    t.is((await billing.issue(draft.id)).status, 200, 'and the same issue converges when tried again');
  });

  test(`[${dialect}] ten concurrent issues of one draft: one issues it, the others step back, the month is closed by it, nothing is left behind`, async (t) => {
    const billing = await bootBilling(t, dialect, { run: { issue: { abandonAfterMs: 60_000, sweepMs: 50 } } });
    const id = await billing.earner('popular', 5_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    const answers = await Promise.all(Array.from({ length: 10 }, () => billing.issue(draft.id)));
    const ok = answers.filter((a) => a.status === 200);
    t.is(ok.length, 1, answers.map((a) => `${a.status} ${a.body.code ?? ''}`).join(', '));
    for (const answer of answers.filter((a) => a.status !== 200)) {
      t.is(answer.status, 409);
      t.true(
        ['BILLING.ISSUE_SUPERSEDED', 'BILLING.ILLEGAL_TRANSITION', 'BILLING.CONCURRENT_UPDATE'].includes(answer.body.code),
        answer.text,
      );
    }
    t.like(billing.stub.closes.get(`${id} ${PERIOD}`), { invoiceId: draft.id });
    await waitUntil(async () => Number((await billing.db('issue_attempts').count({ n: '*' }))[0]!.n) === 0, 5_000, 'every attempt settled');
    t.like(
      billing.stub.closes.get(`${id} ${PERIOD}`),
      { invoiceId: draft.id },
      'releases of the others never undid the close of the issue',
    );
  });

  test(`[${dialect}] a run survives a publisher that cannot be invoiced: counted failed with its reason, everyone else invoiced`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const good = await billing.earner('good', 5_000_000);
    const bad = await billing.earner('huge', 5_000_000);
    billing.stub.unpayable.add(`${bad} ${PERIOD}`);
    const run = await billing.run();
    t.like(run, { status: 'succeeded', failed: 1, created: 1 });
    t.deepEqual(run.failures, [{ publisherId: bad, code: 'OPERATIONS.TOTAL_TOO_LARGE', message: `The figures of ${bad} exceed 2^53 - 1` }]);
    t.is((await billing.invoicesOf(good)).length, 1);
    t.is((await billing.invoicesOf(bad)).length, 0);
  });
}
