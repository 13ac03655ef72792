/**
 * The seam between seams and Knex's SQLite client, which Knex does not promise to keep: if a Knex
 * upgrade changes it, these fail rather than the kept statements silently stopping (a slower app) or
 * a statement's mode leaking into another query. Run on both databases where the seam has two sides.
 */
import test from 'ava';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import type { OpenDatabase } from '../../src/platform/database/open.ts';
import { selectPrepared } from '../../src/platform/database/preparedSelect.ts';
import { dialects } from '../helpers/databases.ts';
import { scratchDatabase } from './scratchDatabase.ts';

/** Counts the statements better-sqlite3 prepares on the connection of `db` while `work` runs. */
async function preparedDuring(db: OpenDatabase, work: () => Promise<unknown>): Promise<number> {
  const connection: unknown = await db.knex.client.acquireConnection();
  await db.knex.client.releaseConnection(connection);
  const prepare = Database.prototype.prepare;
  let prepared = 0;
  Database.prototype.prepare = function (this: Database.Database, sql: string) {
    if (this === connection) prepared++;
    return prepare.call(this, sql);
  } as typeof prepare;
  try {
    await work();
  } finally {
    Database.prototype.prepare = prepare;
  }
  return prepared;
}

const SQL = 'SELECT id, title, body FROM notes WHERE id >= ? ORDER BY id';

test('sqlite: the connection Knex hands out is a better-sqlite3 Database, and Knex prepares through it', async (t) => {
  const db = await scratchDatabase(t, 'sqlite');
  const connection: unknown = await db.knex.client.acquireConnection();
  try {
    t.true(connection instanceof Database);
    const own = connection as Database.Database;
    t.not(own.prepare, Database.prototype.prepare, 'the pool set our kept statements on the connection');
    const asked: string[] = [];
    const kept = own.prepare;
    own.prepare = ((sql: string) => (asked.push(sql), kept.call(own, sql))) as typeof own.prepare;
    await db.knex.client.releaseConnection(connection);
    await db.knex.raw(SQL, [1]);
    t.deepEqual(asked, [SQL], 'Knex asks the connection to prepare each query');
    own.prepare = kept;
  } catch (error) {
    await db.knex.client.releaseConnection(connection);
    throw error;
  }
});

test('sqlite: a Knex query is prepared once and reused, its rows as objects after a select of the same SQL', async (t) => {
  const db = await scratchDatabase(t, 'sqlite');
  const query = () => db.knex('notes').where('id', '>=', 1).select('id', 'title');
  t.is(await preparedDuring(db, async () => (await query(), await query(), await query())), 1);
  t.is(await preparedDuring(db, () => db.select(SQL, [1])), 1, 'select keeps its statements apart from Knex’s');
  t.is(await preparedDuring(db, () => db.select(SQL, [1])), 0);
  t.deepEqual(await db.knex.raw(SQL, [1]), await db.select(SQL, [1]), 'a raw Knex query of the same SQL still answers objects');
});

test('sqlite: a kept statement does not keep safe integers that one Knex query asked for', async (t) => {
  const db = await scratchDatabase(t, 'sqlite');
  const sql = 'SELECT id FROM notes WHERE id = ?';
  t.deepEqual(await db.knex.raw(sql, [1]).options({ safeIntegers: true }), [{ id: 1n }]);
  t.deepEqual(await db.knex.raw(sql, [1]), [{ id: 1 }]);
});

for (const dialect of dialects) {
  test(`${dialect}: select answers what knex.raw answers, outside and inside a transaction`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    const viaKnex = async (knex: Knex) => {
      const result = await knex.raw(SQL, [1]);
      return db.returning(result);
    };
    const expected = [
      { id: 1, title: 'one', body: 'first' },
      { id: 2, title: 'two', body: null },
    ];
    t.deepEqual(await viaKnex(db.knex), expected);
    t.deepEqual(await db.select(SQL, [1]), expected);
    t.deepEqual(await db.select(SQL, [2]), expected.slice(1), 'the kept statement takes new bindings');
    await db.writeTransaction(async (trx) => {
      await trx('notes').insert({ id: 3, title: 'three', body: null });
      // The pool's one connection is the transaction's: a select outside it would wait for it forever.
      t.deepEqual(await selectPrepared(trx, SQL, [1]), [...expected, { id: 3, title: 'three', body: null }]);
    });
    t.deepEqual(await db.select(SQL, [3]), [{ id: 3, title: 'three', body: null }]);
  });

  test(`${dialect}: select prepares its statement once per connection`, async (t) => {
    const db = await scratchDatabase(t, dialect);
    if (dialect === 'sqlite') {
      t.is(await preparedDuring(db, async () => (await db.select(SQL, [1]), await db.select(SQL, [2]))), 1);
      return;
    }
    await db.select(SQL, [1]);
    await db.select(SQL, [2]);
    // One connection in the pool: the named statement is on it, once.
    const { rows } = await db.knex.raw(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'seams_%'`);
    t.is(rows[0].n, 1);
  });
}
