import test from 'ava';
import { waitUntil } from '../helpers/wait.ts';
import { PERIOD, bootBilling } from './billingApp.ts';

test('/metrics shows the progress of a running invoice run', async (t) => {
  const billing = await bootBilling(t, 'sqlite', { run: { pageSize: 2 } });
  for (const name of ['a', 'b', 'c']) await billing.earner(name, 1_000_000);
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  billing.stub.beforeEarnings = () => opened;
  t.teardown(() => open());
  const run = await billing.api.post('/v1/invoice-runs', { period: PERIOD }, billing.finance);
  await waitUntil(async () => billing.stub.calls.some((c) => c.method === 'earningsForMonth'), 10_000, 'the first page');

  const gauge = (text: string, counter: string) =>
    Number(
      new RegExp(
        `^seams_billing_invoice_run_progress\\{run="${run.body.id}",period="${PERIOD}",status="running",counter="${counter}"\\} (\\d+)$`,
        'm',
      ).exec(text)?.[1],
    );
  const during = (await billing.api.get('/metrics', null)).text;
  t.is(gauge(during, 'total'), 3);
  t.is(gauge(during, 'processed'), 0);

  open();
  await waitUntil(async () => (await billing.api.get(`/v1/invoice-runs/${run.body.id}`, billing.finance)).body.status === 'succeeded');
  const after = (await billing.api.get('/metrics', null)).text;
  t.false(after.includes(`run="${run.body.id}"`), 'finished runs leave the gauge');
});
