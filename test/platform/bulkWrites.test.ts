/**
 * The platform's bulk writes: many rows in few statements, with the column types declared (so a
 * column of nulls only is written too), and upserts that replace the declared columns of rows that exist.
 */
import test from 'ava';
import { rowsPerStatement } from '../../src/platform/database/bulkWrites.ts';
import { dialects } from '../helpers/databases.ts';
import { scratchDatabase } from './scratchDatabase.ts';

const COLUMNS = { id: 'text', day: 'text', impressions: 'bigint', note: 'text' } as const;

const rowsOf = (n: number, impressions: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `r${String(i).padStart(5, '0')}`,
    day: '2026-01-01',
    impressions: impressions(i),
    note: null,
  }));

for (const dialect of dialects) {
  test(`${dialect}: bulkInsert writes every row, past one statement's rows, nulls and missing columns included`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    await db.knex.raw('CREATE TABLE reports (id text PRIMARY KEY, day text NOT NULL, impressions bigint NOT NULL, note text)');
    const rows = rowsOf(rowsPerStatement(4) * 2 + 7, (i) => i);
    await db.writeTransaction((trx) => db.bulkInsert(trx, 'reports', COLUMNS, rows));
    await db.writeTransaction((trx) => db.bulkInsert(trx, 'reports', COLUMNS, [{ id: 'x', day: '2026-01-02', impressions: 2 ** 40 }]));
    await db.writeTransaction((trx) => db.bulkInsert(trx, 'reports', COLUMNS, []));
    const written = await db.knex('reports').orderBy('id').select('id', 'day', 'impressions', 'note');
    t.is(written.length, rows.length + 1);
    t.deepEqual(
      written.slice(0, 2).map((row) => ({ ...row, impressions: Number(row.impressions) })),
      rows.slice(0, 2),
    );
    const last = written.at(-1);
    t.deepEqual({ ...last, impressions: Number(last.impressions) }, { id: 'x', day: '2026-01-02', impressions: 2 ** 40, note: null });
  });

  test(`${dialect}: bulkUpsert inserts new rows and sets only the update columns of rows that exist`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    await db.knex.raw('CREATE TABLE reports (id text, day text, impressions bigint NOT NULL, note text, PRIMARY KEY (id, day))');
    const first = rowsOf(rowsPerStatement(4) + 3, () => 1).map((row) => ({ ...row, note: 'first' }));
    await db.writeTransaction((trx) => db.bulkInsert(trx, 'reports', COLUMNS, first));
    const again = rowsOf(first.length + 2, () => 5).map((row) => ({ ...row, note: 'again' }));
    const on = { conflict: ['id', 'day'], update: ['impressions'] };
    await db.writeTransaction((trx) => db.bulkUpsert(trx, 'reports', COLUMNS, again, on));
    const written = await db.knex('reports').orderBy('id').select('id', 'impressions', 'note');
    t.is(written.length, again.length);
    t.deepEqual(
      written.map((row) => Number(row.impressions)),
      again.map(() => 5),
    );
    t.deepEqual(
      written.map((row) => row.note),
      [...first.map(() => 'first'), 'again', 'again'],
      'note is not an update column',
    );
  });

  test(`${dialect}: bulkUpsert refuses conflict or update columns it does not write`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    await t.throwsAsync(
      db.writeTransaction((trx) => db.bulkUpsert(trx, 'notes', { id: 'integer' }, [{ id: 1 }], { conflict: ['id'], update: ['title'] })),
      { message: /title is not among the columns written/ },
    );
  });
}
