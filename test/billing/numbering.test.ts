import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { bootBilling } from './billingApp.ts';

for (const dialect of dialects) {
  test(`[${dialect}] 50 invoices issued at once get 50 consecutive numbers, no gaps, no repeats`, async (t) => {
    const billing = await bootBilling(t, dialect);
    await billing.earners(50, 1_000_000);
    t.like(await billing.run(), { created: 50 });
    const drafts = (await billing.api.get(`/v1/invoices?status=draft&limit=100`, billing.finance)).body.data;
    t.is(drafts.length, 50);

    const answers = await Promise.all(drafts.map((d: { id: string }) => billing.issue(d.id)));
    t.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    const year = answers[0]!.body.issuedAt.slice(0, 4);
    const numbers = answers.map((a) => a.body.number).sort();
    t.deepEqual(
      numbers,
      Array.from({ length: 50 }, (_, i) => `INV-${year}-${String(i + 1).padStart(6, '0')}`),
    );
    t.is((await billing.db('outbox').where({ name: 'billing.InvoiceIssued' })).length, 50, 'one InvoiceIssued each');
  });

  test(`[${dialect}] a failed issue rolls its number back: the next issue takes it, no gap`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const [a, b, c] = await billing.earners(3, 1_000_000);
    await billing.run();
    const first = await billing.issue((await billing.draftOf(a!)).id);
    const year = first.body.number.slice(4, 8);
    t.is(first.body.number, `INV-${year}-000001`);

    // Corrupt the data on purpose: a stray invoice already holds the next number, so issuing B fails after taking it.
    const stray = {
      ...(await billing.db('invoices').where({ publisher_id: a }).first()),
      id: 'inv_stray',
      publisher_id: 'pub_stray',
      status: 'void',
      number: `INV-${year}-000002`,
    };
    await billing.db('invoices').insert(stray);
    const draftB = await billing.draftOf(b!);
    const failed = await billing.issue(draftB.id);
    t.is(failed.status, 500);
    t.like((await billing.api.get(`/v1/invoices/${draftB.id}`, billing.finance)).body, { status: 'draft', number: null, version: 1 });
    t.is((await billing.db('outbox').where({ name: 'billing.InvoiceIssued' })).length, 1, 'no event for the failed issue');
    t.is((await billing.db('invoice_numbers').first()).last, 1, 'the counter rolled back');

    await billing.db('invoices').where({ id: 'inv_stray' }).delete();
    t.is((await billing.issue(draftB.id)).body.number, `INV-${year}-000002`);
    t.is((await billing.issue((await billing.draftOf(c!)).id)).body.number, `INV-${year}-000003`);
  });

  test(`[${dialect}] numbers restart with each year of issue; drafts have none`, async (t) => {
    let now = Date.parse('2026-12-31T23:59:00.000Z');
    const billing = await bootBilling(t, dialect, { clock: { now: () => new Date(now) } });
    const [a, b] = await billing.earners(2, 1_000_000);
    await billing.run();
    const draftB = await billing.draftOf(b!);
    t.is(draftB.number, null);
    const december = await billing.issue((await billing.draftOf(a!)).id);
    t.like(december.body, { number: 'INV-2026-000001', issuedAt: '2026-12-31T23:59:00.000Z', dueAt: '2027-01-30' });
    now = Date.parse('2027-01-01T00:00:01.000Z');
    const january = await billing.issue(draftB.id);
    t.like(january.body, { number: 'INV-2027-000001', dueAt: '2027-01-31' });
  });
}
