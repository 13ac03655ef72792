import test from 'ava';
import { divideHalfUp, lineMinor, shareMicros, sum, toJsonInteger } from '../../src/kernel/index.ts';

test('half-up rounding: ties go up, everything else to the nearest', (t) => {
  t.is(divideHalfUp(5n, 2n), 3n);
  t.is(divideHalfUp(7n, 2n), 4n);
  t.is(divideHalfUp(4n, 3n), 1n);
  t.is(divideHalfUp(5n, 3n), 2n);
  t.is(divideHalfUp(-5n, 2n), -2n);
  t.throws(() => divideHalfUp(1n, 0n));
});

test('the publisher share is gross × bps / 10^4, rounded half-up', (t) => {
  t.is(shareMicros(1_000_000, 7_000), 700_000n);
  t.is(shareMicros(1, 5_000), 1n, '0.5 micro rounds up');
  t.is(shareMicros(3, 5_000), 2n, '1.5 micros round up');
  t.is(shareMicros(1, 4_999), 0n);
});

test('an invoice line is gross micros × bps / 10^8 in cents, one rounding', (t) => {
  t.is(lineMinor(1_000_000, 7_000), 70n, '$1 gross at 70% is 70 cents');
  t.is(lineMinor(7_143, 7_000), 1n, '0.50001 cents rounds up');
  t.is(lineMinor(7_142, 7_000), 0n, '0.49994 cents rounds down');
  t.is(lineMinor(50_000, 10_000), 5n);
  t.is(lineMinor(5_000, 10_000), 1n, 'exactly half a cent rounds up');
});

test('a billion-dollar month stays exact past 2^53', (t) => {
  const gross = 1_000_000_000n * 1_000_000n + 123_456n; // $1,000,000,000.123456 in micros
  t.true(gross * 7_000n > BigInt(Number.MAX_SAFE_INTEGER));
  t.is(lineMinor(gross, 7_000), 70_000_000_009n); // 70,000,000,008.64192 cents → …009
  t.is(shareMicros(gross.toString(), 7_000), 700_000_000_086_419n); // …086,419.2 → …086,419
  t.is(sum([1n, '2', 3]), 6n);
  t.is(toJsonInteger(70_000_000_009n), 70_000_000_009);
  t.throws(() => toJsonInteger(2n ** 60n));
});
