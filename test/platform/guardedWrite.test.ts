/**
 * The platform's guarded write: bulk writes made only while a guard (an UPDATE … RETURNING) matches a row,
 * all or nothing, outside a transaction or in the caller's.
 */
import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { scratchDatabase } from './scratchDatabase.ts';

const REPORTS = { id: 'text', impressions: 'bigint' } as const;
const claim = (owner: string) => ({ sql: 'UPDATE jobs SET done = done + 1 WHERE id = 1 AND owner = ? RETURNING done', bindings: [owner] });

for (const dialect of dialects) {
  const prepared = async (t: Parameters<typeof scratchDatabase>[0]) => {
    const db = await scratchDatabase(t, dialect);
    await db.knex.raw('CREATE TABLE jobs (id integer PRIMARY KEY, owner text NOT NULL, done integer NOT NULL)');
    await db.knex.raw('CREATE TABLE reports (id text PRIMARY KEY, impressions bigint NOT NULL CHECK (impressions >= 0))');
    await db.knex('jobs').insert({ id: 1, owner: 'me', done: 0 });
    return db;
  };
  const reportIds = async (db: Awaited<ReturnType<typeof prepared>>) =>
    (await db.knex('reports').orderBy('id').select('id')).map((r) => r.id);

  test(`${dialect}: guardedWrite writes every table and answers the guard's row while the guard matches`, async (t) => {
    const db = await prepared(t);
    const writes = [
      { table: 'reports', columns: REPORTS, rows: [{ id: 'a', impressions: 1 }] },
      {
        table: 'notes',
        columns: { id: 'integer', title: 'text' } as const,
        rows: [{ id: 1, title: 'again' }],
        on: { conflict: ['id'], update: ['title'] },
      },
      { table: 'reports', columns: REPORTS, rows: [] },
    ];
    t.deepEqual(await db.guardedWrite(null, claim('me'), writes), [{ done: 1 }]);
    t.deepEqual(await reportIds(db), ['a']);
    t.is((await db.knex('notes').where({ id: 1 }).first()).title, 'again');
  });

  test(`${dialect}: guardedWrite writes nothing when the guard matches no row, or when a write fails`, async (t) => {
    const db = await prepared(t);
    t.deepEqual(
      await db.guardedWrite(null, claim('someone else'), [{ table: 'reports', columns: REPORTS, rows: [{ id: 'a', impressions: 1 }] }]),
      [],
    );
    const refused = [
      {
        table: 'reports',
        columns: REPORTS,
        rows: [
          { id: 'b', impressions: 1 },
          { id: 'c', impressions: -1 },
        ],
      },
    ];
    await t.throwsAsync(db.guardedWrite(null, claim('me'), refused), { any: true });
    await t.throwsAsync(
      db.writeTransaction((trx) => db.guardedWrite(trx, claim('me'), refused)),
      { any: true },
    );
    t.deepEqual(await reportIds(db), []);
    t.is((await db.knex('jobs').first()).done, 0, 'the guard itself rolled back');
  });
}
