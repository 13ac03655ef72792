/**
 * What a module's database offers beyond its Knex: the platform's data-access helpers, so a module
 * writes no dialect branch for prepared reads, bulk writes, RETURNING or leased claims.
 */
import type { Knex } from 'knex';

export type Dialect = 'sqlite' | 'postgres';

/** A column's PostgreSQL type, declared for a bulk write (its array is sent as `type[]`); SQLite binds values as they are. */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'numeric' | 'double precision' | 'boolean' | 'date' | 'timestamptz' | 'jsonb';

/** The columns a bulk write fills, each with its type, e.g. `{ id: 'text', amount_cents: 'bigint' }`. */
export type ColumnTypes = Record<string, ColumnType>;

/** One table's rows for a bulk write; with `on`, rows that exist take the `update` columns of the new ones. */
export interface BulkWrite {
  table: string;
  columns: ColumnTypes;
  rows: readonly Record<string, unknown>[];
  on?: { conflict: string[]; update: string[] };
}

/** A piece of SQL with its `?` bindings. */
export interface SqlPart {
  sql: string;
  bindings?: readonly Knex.Value[];
}

/**
 * Claims up to `limit` rows under a lease: in one UPDATE, the rows `pick` chooses among the `claimable` ones
 * (free, or held under a lease that lapsed), oldest by `order`, get `set` (the new holder and lease end).
 * PostgreSQL skips rows another claim has locked (FOR UPDATE SKIP LOCKED); SQLite serialises writers.
 */
export interface LeaseClaim {
  table: string;
  /** The table's alias in the conditions (`o` for `o.seq`), when they use one. */
  as?: string;
  /** The column that identifies a row (`seq`, `id`). */
  key: string;
  /** Which rows may be claimed now; checked again on each row as it is claimed. */
  claimable: SqlPart;
  /** Which of the claimable rows this claim wants (e.g. one id, or the first in line); every one when left out. */
  pick?: SqlPart;
  /** The order rows are claimed in (`seq`, `created_at, id`). */
  order: string;
  limit: number;
  /** The claim: column → value (a `knex.raw` for an expression such as `attempts + 1`). */
  set: Record<string, Knex.Value | Knex.Raw>;
  /** The columns returned of each claimed row (`*` for all). */
  returning: string;
}

/** The module's own database: a Knex bound to its schema (PostgreSQL) or its own file (SQLite). */
export interface ModuleDatabase {
  readonly module: string;
  readonly dialect: Dialect;
  readonly knex: Knex;
  /**
   * A read of fixed SQL text (`?` bindings only; columns named, never `*`), kept prepared and run
   * without Knex's query builder: for the few reads every request makes.
   */
  select<T>(sql: string, bindings: Knex.Value[]): Promise<T[]>;
  /**
   * A transaction that writes: on SQLite it takes the write lock before its first read, so what it
   * reads is the latest and no other process writes until it ends; on PostgreSQL a plain transaction.
   */
  writeTransaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /**
   * Inserts many rows in few statements: PostgreSQL `INSERT … SELECT * FROM unnest($1::text[], …)`, one
   * array per column however many rows; SQLite multi-row VALUES in chunks. A column missing from a row is null.
   */
  bulkInsert(trx: Knex.Transaction, table: string, columns: ColumnTypes, rows: readonly Record<string, unknown>[]): Promise<void>;
  /**
   * `bulkInsert` with `ON CONFLICT (conflict) DO UPDATE SET col = excluded.col` for each `update` column.
   * Rows must not repeat a conflict key (PostgreSQL refuses to update a row twice in one statement).
   */
  bulkUpsert(
    trx: Knex.Transaction,
    table: string,
    columns: ColumnTypes,
    rows: readonly Record<string, unknown>[],
    on: { conflict: string[]; update: string[] },
  ): Promise<void>;
  /**
   * Bulk writes made only when `guard`, an UPDATE … RETURNING, matches a row: all or nothing. PostgreSQL sends one
   * statement (the guard and each write a data-modifying CTE), so without `trx` it is one round trip and one commit;
   * SQLite runs the guard, then the writes, in `trx` or a write transaction of their own. Answers the guard's rows.
   */
  guardedWrite<T>(trx: Knex.Transaction | null, guard: SqlPart, writes: readonly BulkWrite[]): Promise<T[]>;
  /**
   * `bulkUpsert` for batch after batch into one table in one transaction (a file import), at bulk-load speed:
   * PostgreSQL COPYs each batch into a temporary table and upserts from it in one statement; SQLite runs one
   * prepared single-row upsert for every row. `prepare` readies a batch without the database (do it while an
   * earlier batch is written), `write` writes it. A batch must not repeat a conflict key; rows are written in order.
   */
  bulkUpserter(
    trx: Knex.Transaction,
    table: string,
    columns: ColumnTypes,
    on: { conflict: string[]; update: string[] },
  ): { prepare(rows: readonly Record<string, unknown>[]): unknown; write(batch: unknown): Promise<void> };
  /** The rows of a raw statement with RETURNING (`knex.raw(…)`'s result), whichever driver ran it. */
  returning<T>(result: unknown): T[];
  /** Claims rows under a lease (see LeaseClaim) and answers them, in no particular order. */
  claimWithLease<T>(claim: LeaseClaim): Promise<T[]>;
}
