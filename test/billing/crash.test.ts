import test from 'ava';
import { createApp } from '../../src/app.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { dialects, testConfig } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { operationsStubOf, seedEarnings } from '../fixtures/modules/operationsStub/index.ts';
import { PERIOD, billingCrashModules } from './billingApp.ts';

const ACCOUNTS = 35;

for (const dialect of dialects) {
  test(`[${dialect}] a run killed (SIGKILL) mid-run resumes after its last committed page and converges: each invoice once`, async (t) => {
    const config = await testConfig(t, dialect);
    const seed = await createApp(config, { modules: billingCrashModules(), dispatcher: { options: { idlePollMs: 50 } } });
    seed.start();
    const seedStub = operationsStubOf(seed);
    for (let i = 0; i < ACCOUNTS; i++) await seedStub.register({ name: `publisher ${i}` });
    const billingOf = (app: typeof seed) => app.databases.get('billing')!.knex;
    await waitUntil(async () => (await billingOf(seed)('billing_accounts')).length === ACCOUNTS, 20_000, 'accounts');
    await seed.close();

    const child = spawnTs('test/fixtures/billingChild.ts', [], { ...databaseEnv(config), MODE: 'run-then-die', PERIOD });
    t.is((await child.exited).signal, 'SIGKILL', child.output());
    t.regex(child.output(), /progress 20/);

    const app = await createApp(config, { modules: billingCrashModules(), dispatcher: { options: { idlePollMs: 50 } } });
    t.teardown(() => app.close());
    const db = billingOf(app);
    const ids = (await db('billing_accounts').select('publisher_id')).map((r) => r.publisher_id);
    seedEarnings(operationsStubOf(app), PERIOD, ids);
    const [orphan] = await db('invoice_runs');
    t.like(orphan, { status: 'running', processed: 20, created: 20 });
    t.is((await db('invoices')).length, 20, 'two pages committed, the third never started writing');

    // Its lease would lapse within seconds (test/billing/recoveryTime.test.ts measures it); let it lapse now.
    await db('invoice_runs').update({ lease_until: '2000-01-01T00:00:00.000Z' });
    app.start();
    const run = await waitUntil(
      async () => {
        const row = await db('invoice_runs').where({ id: orphan.id }).first();
        return row.status === 'succeeded' ? row : null;
      },
      20_000,
      'the run to finish',
    );
    t.like(run, { total: ACCOUNTS, processed: ACCOUNTS, created: ACCOUNTS, updated: 0, skipped: 0, failed: 0, attempts: 2 });

    const invoices = await db('invoices').select('publisher_id', 'total_minor', 'status');
    t.is(invoices.length, ACCOUNTS);
    t.is(new Set(invoices.map((i) => i.publisher_id)).size, ACCOUNTS, 'one invoice per publisher');
    const sorted = [...ids].sort();
    for (const invoice of invoices) {
      t.is(Number(invoice.total_minor), 70 * (sorted.indexOf(invoice.publisher_id) + 1), 'n USD at 70% = 70·n cents');
    }
  });
}
