import test from 'ava';
import { keepLease } from '../../src/kernel/index.ts';
import { waitUntil } from '../helpers/wait.ts';

const LEASE = 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('renews about every third of the lease while the work runs, and never after stop()', async (t) => {
  let renewals = 0;
  const lease = keepLease({ leaseMs: LEASE, renew: async () => (renewals++, true) });
  const started = Date.now();
  await waitUntil(async () => renewals >= 4, 5_000, 'four renewals');
  t.true(Date.now() - started >= (4 * LEASE) / 3 - 20, 'not sooner than every third of the lease');
  t.true(lease.held(), 'held well past the lease it began with');
  await lease.stop();
  const atStop = renewals;
  await sleep(LEASE);
  t.is(renewals, atStop, 'no renewal once stopped');
});

test('a renewal that finds the work gone ends the lease for good', async (t) => {
  let renewals = 0;
  const lease = keepLease({ leaseMs: LEASE, renew: async () => (renewals++, false) });
  await waitUntil(async () => lease.lapse() === 'lost', 5_000, 'the lease lost');
  t.false(lease.held());
  await sleep(LEASE);
  t.is(renewals, 1, 'no renewal after the loss');
  await lease.stop();
});

test('renewals that fail let the lease expire no sooner than four fifths of it; a later success holds it again', async (t) => {
  let failing = true;
  const errors: unknown[] = [];
  const lease = keepLease({
    leaseMs: LEASE,
    renew: async () => {
      if (failing) throw new Error('SQLITE_BUSY: database is locked');
      return true;
    },
    onRenewalError: (error) => errors.push(error),
  });
  const started = Date.now();
  await waitUntil(async () => !lease.held(), 5_000, 'the lease to expire');
  t.true(Date.now() - started >= (4 * LEASE) / 5 - 20, 'held while the lease it was granted runs');
  t.is(lease.lapse(), 'expired');
  t.true(errors.length >= 1, 'each failed renewal is reported');
  failing = false;
  await waitUntil(async () => lease.held(), 5_000, 'a renewal that succeeds');
  t.is(lease.lapse(), null);
  await lease.stop();
});

test('a renewal that hangs lets the lease expire, and stop() waits for it to end', async (t) => {
  let answer!: (renewed: boolean) => void;
  let asked = false;
  const lease = keepLease({ leaseMs: LEASE, renew: () => ((asked = true), new Promise<boolean>((resolve) => (answer = resolve))) });
  await waitUntil(async () => asked, 5_000, 'a renewal under way');
  await waitUntil(async () => lease.lapse() === 'expired', 5_000, 'the lease to expire');
  let stopped = false;
  const stopping = lease.stop().then(() => (stopped = true));
  await sleep(50);
  t.false(stopped, 'stop() waits for the renewal under way');
  answer(true);
  await stopping;
  t.true(stopped);
});

test("the work's own renewals (commits whose guard extends the lease) hold it while the heartbeat's hang", async (t) => {
  const lease = keepLease({ leaseMs: LEASE, renew: () => new Promise<boolean>(() => {}) });
  const started = performance.now();
  while (performance.now() - started < 2 * LEASE) {
    lease.renewed(performance.now());
    await sleep(LEASE / 6);
    t.true(lease.held(), 'held past the lease it began with, by the commits alone');
  }
  await waitUntil(async () => lease.lapse() === 'expired', 5_000, 'the lease to expire once the commits stop');
  lease.renewed(started);
  t.is(lease.lapse(), 'expired', 'a renewal counts from when its statement began, not from when it is reported');
});
