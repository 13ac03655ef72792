import test from 'ava';
import {
  Day,
  Month,
  Strict,
  Type,
  addDays,
  decodeCursor,
  encodeCursor,
  isDay,
  isId,
  monthBounds,
  newId,
  validator,
} from '../../src/kernel/index.ts';

test('days are real calendar days and months are YYYY-MM', (t) => {
  t.true(isDay('2024-02-29'));
  t.false(isDay('2026-02-29'));
  t.false(isDay('2026-02-30'));
  t.false(isDay('2026-13-01'));
  t.false(isDay('2026-1-01'));
  t.deepEqual(monthBounds('2026-02'), { from: '2026-02-01', to: '2026-02-28' });
  t.is(addDays('2026-01-31', 30), '2026-03-02');
});

test('validators list every problem with a JSON pointer and refuse unknown fields', (t) => {
  const check = validator(Strict({ day: Day, month: Month, n: Type.Integer({ minimum: 0 }) }));
  t.deepEqual(check({ day: '2026-03-01', month: '2026-03', n: 1 }), { day: '2026-03-01', month: '2026-03', n: 1 });
  const error = t.throws(() => check({ day: '2026-02-30', month: '2026-3', n: -1, extra: true }, '/rows/3'));
  t.like(error, { code: 'VALIDATION_FAILED', kind: 'validation' });
  t.deepEqual((error as any).errors.map((e: { path: string }) => e.path).sort(), [
    '/rows/3/day',
    '/rows/3/extra',
    '/rows/3/month',
    '/rows/3/n',
  ]);
});

test('query validators coerce text to numbers', (t) => {
  const check = validator(Strict({ limit: Type.Integer({ default: 20 }) }), { coerce: true });
  t.deepEqual(check({ limit: '5' }), { limit: 5 });
  t.deepEqual(check({}), { limit: 20 });
});

test('ids carry a prefix and sort by creation time; cursors round-trip and refuse tampering', (t) => {
  const a = newId('pub', 1_700_000_000_000);
  const b = newId('pub', 1_700_000_000_001);
  t.true(isId('pub', a));
  t.false(isId('app', a));
  t.true(a < b);
  t.deepEqual(decodeCursor(encodeCursor(['2026-03-01', 'inv_1']), 2), ['2026-03-01', 'inv_1']);
  t.throws(() => decodeCursor('garbage', 2), { message: /cursor/ });
  t.throws(() => decodeCursor(encodeCursor(['x']), 2), { message: /cursor/ });
});
