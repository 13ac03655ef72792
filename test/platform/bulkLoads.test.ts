/**
 * The platform's bulk loader (a file import's writes): batch after batch upserted in one transaction,
 * on PostgreSQL through COPY into a temporary table, so every value must cross COPY's text format as it is.
 */
import test from 'ava';
import { copyField, copyLine } from '../../src/platform/database/postgresCopyIn.ts';
import type { OpenDatabase } from '../../src/platform/database/open.ts';
import { dialects } from '../helpers/databases.ts';
import { scratchDatabase } from './scratchDatabase.ts';

const COLUMNS = { id: 'text', day: 'text', impressions: 'bigint', note: 'text' } as const;
const ON = { conflict: ['id', 'day'], update: ['impressions', 'note'] };
const TABLE =
  'CREATE TABLE reports (id text, day text, impressions bigint NOT NULL CHECK (impressions >= 0), note text, PRIMARY KEY (id, day))';

type Loader = ReturnType<OpenDatabase['bulkUpserter']>;
const upsertAll = (loader: Loader, rows: Record<string, unknown>[]) => loader.write(loader.prepare(rows));

const rowsOf = (from: number, to: number, impressions: number, note: string | null) =>
  Array.from({ length: to - from }, (_, i) => ({ id: `r${String(from + i).padStart(5, '0')}`, day: '2026-01-01', impressions, note }));

test('COPY text format: null as \\N; backslash, tab, line feed and carriage return escaped; the rest as it is', (t) => {
  t.is(
    copyLine(['a\tb', null, 'x\\N', '\\.', 'line\r\nnext', 12, 2n ** 60n, true, '😀 "q" ,;']),
    'a\\tb\t\\N\tx\\\\N\t\\\\.\tline\\r\\nnext\t12\t1152921504606846976\tt\t😀 "q" ,;\n',
  );
  t.is(copyField(new Date('2026-03-01T10:00:00Z')), '2026-03-01T10:00:00.000Z');
  t.is(copyField({ tab: '\t' }), '{"tab":"\\\\t"}', 'JSON, then escaped as text');
});

test('COPY text format refuses what it cannot carry exactly: U+0000, a lone surrogate, a number that is not finite', (t) => {
  t.throws(() => copyField('a\0b'), { message: /U\+0000 or a lone surrogate/ });
  t.throws(() => copyField('a\uD800b'), { message: /U\+0000 or a lone surrogate/ });
  t.throws(() => copyField(Number.NaN), { message: /not a finite number/ });
  t.throws(() => copyField(Number.POSITIVE_INFINITY), { message: /not a finite number/ });
  t.throws(() => copyField(Buffer.from('x')), { message: /no text form/ });
});

for (const dialect of dialects) {
  test(`${dialect}: bulkUpserter writes batch after batch in one transaction, a later batch updating the update columns of rows an earlier one wrote`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    await db.knex.raw(TABLE);
    await db.writeTransaction(async (trx) => {
      const loader = db.bulkUpserter(trx, 'reports', COLUMNS, ON);
      const first = loader.prepare(rowsOf(0, 1_500, 1, 'first'));
      const second = loader.prepare(rowsOf(1_000, 2_000, 2, null)); // made ready before the first is written
      await loader.write(first);
      await loader.write(loader.prepare([]));
      await loader.write(second);
    });
    await db.writeTransaction((trx) => upsertAll(db.bulkUpserter(trx, 'reports', COLUMNS, ON), rowsOf(1_900, 2_100, 3, 'again')));
    const written = await db.knex('reports').orderBy('id').select('id', 'impressions', 'note');
    t.is(written.length, 2_100);
    const at = (i: number) => ({ ...written[i], impressions: Number(written[i].impressions) });
    t.deepEqual(
      [at(0), at(999), at(1_000), at(1_899), at(1_900), at(2_099)],
      [
        { id: 'r00000', impressions: 1, note: 'first' },
        { id: 'r00999', impressions: 1, note: 'first' },
        { id: 'r01000', impressions: 2, note: null },
        { id: 'r01899', impressions: 2, note: null },
        { id: 'r01900', impressions: 3, note: 'again' },
        { id: 'r02099', impressions: 3, note: 'again' },
      ],
    );
  });

  test(`${dialect}: bulkUpserter stores text as it is: tabs, line breaks, backslashes, \\N and \\. as text, quotes, characters past the BMP`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    await db.knex.raw(TABLE);
    const notes = ['a\tb', 'one\ntwo', 'cr\r\nlf', '\\N', '\\.', 'back\\slash\\', '"quoted", \'single\'', '😀 Ünïcødé', '', ' padded '];
    const rows = notes.map((note, i) => ({ id: `id\t${i}\n`, day: '2026-01-01', impressions: 2 ** 53 - 1, note }));
    await db.writeTransaction((trx) => upsertAll(db.bulkUpserter(trx, 'reports', COLUMNS, ON), rows));
    const written = await db.knex('reports').select('id', 'impressions', 'note');
    t.deepEqual(
      written.map((row) => ({ ...row, impressions: Number(row.impressions) })).sort((a, b) => a.id.localeCompare(b.id)),
      rows.map(({ day: _, ...row }) => row).sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  test(`${dialect}: a batch the table refuses fails its transaction, nothing of it is written, and the database works on`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    await db.knex.raw(TABLE);
    await t.throwsAsync(
      db.writeTransaction(async (trx) => {
        const loader = db.bulkUpserter(trx, 'reports', COLUMNS, ON);
        await upsertAll(loader, rowsOf(0, 10, 1, 'kept?'));
        await upsertAll(loader, rowsOf(10, 20, -1, 'refused'));
      }),
      { any: true, message: /check|constraint/i }, // SQLite: better-sqlite3 throws its own SqliteError, not a native Error
    );
    t.is(Number((await db.knex('reports').count({ n: '*' }))[0]!.n), 0);
    await db.writeTransaction((trx) => upsertAll(db.bulkUpserter(trx, 'reports', COLUMNS, ON), rowsOf(0, 3, 1, 'later')));
    t.is(Number((await db.knex('reports').count({ n: '*' }))[0]!.n), 3);
  });
}
