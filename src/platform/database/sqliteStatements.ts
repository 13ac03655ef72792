/**
 * SQLite statements kept prepared per connection. Preparing costs as much as running a small query,
 * and Knex's better-sqlite3 client prepares every query anew; we keep them on our side of two
 * public seams instead of overriding Knex's client: the connections Knex's pool hands out
 * (`knex.client.acquireConnection()`, the pool's `afterCreate`) are better-sqlite3 Databases,
 * whose statements we keep by SQL text. SQLite re-prepares a kept statement itself when the schema changes.
 */
import Database from 'better-sqlite3';

/** Statements kept per connection and use (least recently used dropped first). */
const STATEMENTS_PER_CONNECTION = 200;

type Statement = Database.Statement<unknown[], unknown>;

/** One connection's statements of one use, by SQL text, prepared on first use. */
export class KeptStatements {
  readonly #statements = new Map<string, Statement>();
  readonly #connection: Database.Database;

  constructor(connection: Database.Database) {
    this.#connection = connection;
  }

  statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement !== undefined) {
      this.#statements.delete(sql); // set again below: the Map's order is the recency order
    } else {
      // The Database's own prepare: Knex's queries go through the instance's, which keepKnexStatements replaces.
      statement = Database.prototype.prepare.call(this.#connection, sql) as Statement;
      if (this.#statements.size >= STATEMENTS_PER_CONNECTION) this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, statement);
    return statement;
  }
}

/**
 * Called by the pool on each new connection: Knex's queries on it (`connection.prepare(sql)`, then
 * `all` or `run`) reuse their statements. Knex may switch a statement to safe integers for one query,
 * so a kept one is switched back (off, our connections' default) before each use.
 */
export function keepKnexStatements(connection: Database.Database): void {
  const kept = new KeptStatements(connection);
  connection.prepare = ((sql: string) => kept.statement(sql).safeIntegers(false)) as typeof connection.prepare;
}

const selects = new WeakMap<Database.Database, KeptStatements>();
const columnNames = new WeakMap<Statement, string[] | null>();

/**
 * A read of named columns on one connection. The columns of a kept statement cannot change, so its
 * rows are read as arrays and made objects here with the names read once: better-sqlite3 sets each
 * column of each row object through the V8 API, which costs about a third of a small read (an invoice
 * page: 75 → 48 µs). Its statements are kept apart from Knex's, as reading arrays is a statement's mode.
 */
export function selectFixedColumns(connection: Database.Database, sql: string, bindings: unknown[]): unknown[] {
  let kept = selects.get(connection);
  if (kept === undefined) selects.set(connection, (kept = new KeptStatements(connection)));
  const statement = kept.statement(sql);
  let names = columnNames.get(statement);
  if (names === undefined) {
    names = statement.columns().map((column) => column.name);
    // An own property named __proto__ cannot be made by assignment: such a statement answers objects itself.
    if (names.includes('__proto__')) names = null;
    else statement.raw(true);
    columnNames.set(statement, names);
  }
  if (names === null) return statement.all(bindings);
  const rows = statement.all(bindings) as unknown[][];
  const objects: Record<string, unknown>[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const values = rows[r]!;
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = values[c];
    objects[r] = row;
  }
  return objects;
}
