/**
 * Claiming rows under a lease (the outbox's batches, Billing's invoice runs): a claim takes free rows
 * and rows whose lease lapsed, never a row held under a live lease, and two claimers never take one row.
 */
import test, { type ExecutionContext } from 'ava';
import type { LeaseClaim } from '../../src/kernel/index.ts';
import type { OpenDatabase } from '../../src/platform/database/open.ts';
import { dialects, type Dialect } from '../helpers/databases.ts';
import { scratchDatabase } from './scratchDatabase.ts';

interface Job {
  id: string;
  owner: string | null;
  attempts: number;
}

async function jobsDatabase(t: ExecutionContext, dialect: Dialect, jobs: number, connections = 1) {
  const db = await scratchDatabase(t, dialect, connections);
  await db.knex.raw(
    'CREATE TABLE jobs (id text PRIMARY KEY, created_at text NOT NULL, owner text, lease_until text, attempts integer NOT NULL)',
  );
  const rows = Array.from({ length: jobs }, (_, i) => ({ id: `j${i}`, created_at: `2026-01-0${i + 1}`, lease_until: null, attempts: 0 }));
  if (rows.length > 0) await db.knex('jobs').insert(rows);
  return db;
}

function claim(db: OpenDatabase, owner: string, now: string, leaseUntil: string, options: Partial<LeaseClaim> = {}) {
  return db.claimWithLease<Job>({
    table: 'jobs',
    as: 'j',
    key: 'id',
    claimable: { sql: '(j.owner IS NULL OR j.lease_until < ?)', bindings: [now] },
    order: 'created_at, id',
    limit: 1,
    set: { owner, lease_until: leaseUntil, attempts: db.knex.raw('attempts + 1') },
    returning: 'id, owner, attempts',
    ...options,
  });
}

for (const dialect of dialects) {
  test(`${dialect}: a claim takes the oldest free rows, then rows whose lease lapsed, never a live one`, async (t) => {
    const db = await jobsDatabase(t, dialect, 3);
    t.deepEqual(await claim(db, 'a', 't1', 't5'), [{ id: 'j0', owner: 'a', attempts: 1 }]);
    const two = await claim(db, 'b', 't1', 't5', { limit: 5 });
    t.deepEqual(two.map((job) => job.id).sort(), ['j1', 'j2']);
    t.deepEqual(await claim(db, 'c', 't4', 't9'), [], 'every lease is live at t4');
    t.deepEqual(await claim(db, 'c', 't6', 't9'), [{ id: 'j0', owner: 'c', attempts: 2 }], 'lapsed at t6');
  });

  test(`${dialect}: pick narrows a claim to the rows it names`, async (t) => {
    const db = await jobsDatabase(t, dialect, 3);
    t.deepEqual(await claim(db, 'a', 't1', 't5', { pick: { sql: 'j.id = ?', bindings: ['j2'] } }), [{ id: 'j2', owner: 'a', attempts: 1 }]);
    t.deepEqual(await claim(db, 'b', 't1', 't5', { pick: { sql: 'j.id = ?', bindings: ['j2'] } }), []);
  });

  test(`${dialect}: claimers racing for rows never take the same one`, async (t) => {
    // Three connections: on PostgreSQL the claims run at the same time.
    const db = await jobsDatabase(t, dialect, 9, 3);
    const claimed = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(db, `w${i}`, 't1', 't5')));
    const ids = claimed.flat().map((job) => job.id);
    t.is(ids.length, 9);
    t.is(new Set(ids).size, 9);
  });

  test(`${dialect}: returning reads the rows of a raw statement with RETURNING`, async (t) => {
    const db = await jobsDatabase(t, dialect, 2);
    const result = await db.knex.raw(`UPDATE jobs SET attempts = 7 WHERE id = ? RETURNING id, attempts`, ['j1']);
    t.deepEqual(db.returning(result), [{ id: 'j1', attempts: 7 }]);
  });
}
