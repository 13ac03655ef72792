/**
 * Turns a month's earnings into draft invoices, one page of billing accounts
 * at a time: creates a draft, recomputes an existing one, or leaves an issued
 * or paid invoice alone. A page is written in a few multi-row statements
 * inside one savepoint; when anything in it fails, the page is applied again
 * account by account, each in its own savepoint, so one bad account is counted
 * as failed without undoing the rest of the page.
 */
import type { Knex } from 'knex';
import { DomainError, lineMinor, newId, sum, toJsonInteger, type Clock, type Logger, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { EarningsFailure, PublisherEarnings } from '../operations/contract.ts';
import type { BillingAccount, BillingModels, Invoice } from './data/models.ts';
import type { InvoiceLifecycle } from './invoiceLifecycle.ts';

export interface DraftInvoicesDeps {
  models: BillingModels;
  db: ModuleDatabase;
  invoiceLifecycle: InvoiceLifecycle;
  clock: Clock;
  log: Logger;
}

export interface DraftLine {
  appId: string;
  description: string;
  impressions: number;
  grossMicros: number;
  amountMinor: number;
}

/** A publisher the run could not invoice, and why. */
export interface RunFailure {
  publisherId: string;
  code: string;
  message: string;
}

export interface PageOutcome {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  failures: RunFailure[];
}

type Outcome = 'created' | 'updated' | 'skipped' | 'failed';

const emptyOutcome = (): PageOutcome => ({ created: 0, updated: 0, skipped: 0, failed: 0, failures: [] });

/** One line per app that earned; each line rounded once, half-up, straight from gross; total = sum of lines. */
export function draftLines(earnings: PublisherEarnings): { lines: DraftLine[]; totalMinor: number } {
  const lines = earnings.apps
    .filter((app) => app.grossMicros > 0)
    .sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0))
    .map((app) => ({
      appId: app.appId,
      description: app.name,
      impressions: app.impressions,
      grossMicros: app.grossMicros,
      amountMinor: toJsonInteger(lineMinor(app.grossMicros, earnings.revenueShareBps)),
    }));
  return { lines, totalMinor: toJsonInteger(sum(lines.map((line) => line.amountMinor))) };
}

function sameDraft(invoice: Invoice, bps: number, lines: DraftLine[]): boolean {
  const old = invoice.lines ?? [];
  return (
    invoice.revenueShareBps === bps &&
    old.length === lines.length &&
    old.every((o, i) => {
      const n = lines[i]!;
      return o.appId === n.appId && o.description === n.description && o.impressions === n.impressions &&
        o.grossMicros === n.grossMicros && o.amountMinor === n.amountMinor;
    })
  );
}

/** What one account needs: nothing, its draft voided, a new draft, or its draft recomputed. */
type Plan =
  | { kind: 'skip' }
  | { kind: 'fail'; failure: RunFailure }
  | { kind: 'void'; live: Invoice }
  | { kind: 'create'; invoice: Record<string, unknown>; lines: DraftLine[] }
  | { kind: 'update'; live: Invoice; patch: Record<string, unknown>; lines: DraftLine[] };

/** Rows per multi-row INSERT: 500 × 13 columns stays far below SQLite's 32,766 bound values. */
const INSERT_CHUNK = 500;

export function makeDraftInvoices({ models, db, invoiceLifecycle, clock, log }: DraftInvoicesDeps) {
  const { Invoice, InvoiceLine } = models;

  function plan(
    run: { id: string | null; period: string },
    account: Pick<BillingAccount, 'publisherId' | 'currency'>,
    live: Invoice | undefined,
    earnings: PublisherEarnings | EarningsFailure | undefined,
    now: string,
  ): Plan {
    // Issued and paid invoices never change: a correction is void + a new invoice.
    if (live && live.status !== 'draft') return { kind: 'skip' };
    if (earnings && 'failure' in earnings) return { kind: 'fail', failure: { publisherId: account.publisherId, ...earnings.failure } };
    const computed = earnings ? draftLines(earnings) : { lines: [], totalMinor: 0 };
    if (computed.totalMinor === 0) return live ? { kind: 'void', live } : { kind: 'skip' };
    const bps = earnings!.revenueShareBps;
    if (!live) {
      const invoice = {
        id: newId('inv'), publisherId: account.publisherId, period: run.period, status: 'draft', currency: account.currency,
        totalMinor: computed.totalMinor, paidMinor: 0, revenueShareBps: bps, runId: run.id, version: 1, createdAt: now, updatedAt: now,
      };
      return { kind: 'create', invoice, lines: computed.lines };
    }
    if (sameDraft(live, bps, computed.lines)) return { kind: 'skip' };
    return { kind: 'update', live, patch: { totalMinor: computed.totalMinor, revenueShareBps: bps, runId: run.id, version: live.version + 1, updatedAt: now }, lines: computed.lines };
  }

  /**
   * Validated (jsonSchema) and mapped to columns by the models' own validator and mappers, as Objection's own
   * insert would, without a model instance per row (fromJson + $toDatabaseJson cost more than the INSERT).
   */
  const invoiceModel = new Invoice();
  const lineModel = new InvoiceLine();
  const invoiceRow = (invoice: Record<string, unknown>) => invoiceModel.$formatDatabaseJson(invoiceModel.$validate(invoice));
  const lineRows = (invoiceId: string, lines: DraftLine[]) =>
    lines.map((line, position) => lineModel.$formatDatabaseJson(lineModel.$validate({ ...line, invoiceId, position })));

  /**
   * Multi-row inserts. PostgreSQL: `INSERT … SELECT * FROM unnest(one array per column)`, a
   * parameter per column however many rows. SQLite: `INSERT … VALUES (…), (…)` in chunks
   * (Knex would compile a multi-row insert for SQLite into a compound SELECT, capped at 500 rows).
   */
  async function insertRows(trx: Knex.Transaction, table: string, rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const value = (row: Record<string, unknown>, column: string) => (row[column] ?? null) as Knex.Value;
    if (db.dialect === 'postgres') {
      // Integer columns take bigint[] and text-like ones text[] (assignment casts); a column of nulls only has no
      // array type to name, so such rows take the VALUES form below.
      const arrayType = (value: unknown) => (typeof value === 'number' ? 'bigint' : typeof value === 'string' ? 'text' : null);
      const types = columns.map((column) => arrayType(rows.find((row) => row[column] != null)?.[column]));
      if (!types.includes(null)) {
        await trx.raw(`INSERT INTO ?? (${columns.map(() => '??').join(', ')}) SELECT * FROM unnest(${types.map((type) => `?::${type}[]`).join(', ')})`, [
          table,
          ...columns,
          ...columns.map((column) => rows.map((row) => value(row, column)) as unknown as Knex.Value),
        ]);
        return;
      }
    }
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await trx.raw(`INSERT INTO ?? (${columns.map(() => '??').join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, [
        table,
        ...columns,
        ...chunk.flatMap((row) => columns.map((column) => value(row, column))),
      ]);
    }
  }

  /** Patches a draft only while still a draft at the version read: a draft issued meanwhile is left as issued. */
  async function patchDraft(trx: Knex.Transaction, live: Invoice, patch: Record<string, unknown>): Promise<boolean> {
    return (await Invoice.query(trx).findById(live.id).where({ status: 'draft', version: live.version }).patch(patch)) === 1;
  }

  async function applyOne(trx: Knex.Transaction, step: Plan): Promise<Outcome> {
    switch (step.kind) {
      case 'skip':
        return 'skipped';
      case 'fail':
        return 'failed';
      case 'void':
        await invoiceLifecycle.voidDraft(trx, step.live, 'no earnings for the period when recomputed');
        return 'updated';
      case 'create': {
        await insertRows(trx, 'invoices', [invoiceRow(step.invoice)]);
        await insertRows(trx, 'invoice_lines', lineRows(step.invoice.id as string, step.lines));
        return 'created';
      }
      case 'update': {
        if (!(await patchDraft(trx, step.live, step.patch))) return 'skipped';
        await InvoiceLine.query(trx).delete().where('invoice_id', step.live.id);
        await insertRows(trx, 'invoice_lines', lineRows(step.live.id, step.lines));
        return 'updated';
      }
    }
  }

  /**
   * The whole page at once: one INSERT per 500 new invoices and per 500 lines, one DELETE of recomputed drafts' lines.
   * The lines' rows are built while the invoices' INSERT runs (PostgreSQL works beside this process).
   */
  async function applyBatch(trx: Knex.Transaction, steps: Plan[]): Promise<PageOutcome> {
    const outcome = emptyOutcome();
    const invoices: Record<string, unknown>[] = [];
    const drafts: { invoiceId: string; lines: DraftLine[] }[] = [];
    const rewritten: string[] = [];
    for (const step of steps) {
      if (step.kind === 'skip') {
        outcome.skipped++;
      } else if (step.kind === 'fail') {
        outcome.failed++;
        outcome.failures.push(step.failure);
      } else if (step.kind === 'void') {
        await invoiceLifecycle.voidDraft(trx, step.live, 'no earnings for the period when recomputed');
        outcome.updated++;
      } else if (step.kind === 'create') {
        invoices.push(invoiceRow(step.invoice));
        drafts.push({ invoiceId: step.invoice.id as string, lines: step.lines });
        outcome.created++;
      } else if (await patchDraft(trx, step.live, step.patch)) {
        rewritten.push(step.live.id);
        drafts.push({ invoiceId: step.live.id, lines: step.lines });
        outcome.updated++;
      } else {
        outcome.skipped++;
      }
    }
    if (rewritten.length > 0) await InvoiceLine.query(trx).delete().whereIn('invoice_id', rewritten);
    const insertingInvoices = insertRows(trx, 'invoices', invoices);
    let lines: Record<string, unknown>[];
    try {
      lines = drafts.flatMap((draft) => lineRows(draft.invoiceId, draft.lines));
    } catch (error) {
      await insertingInvoices.catch(() => undefined); // settled before the savepoint is rolled back
      throw error;
    }
    await insertingInvoices;
    await insertRows(trx, 'invoice_lines', lines);
    return outcome;
  }

  return {
    async applyPage(
      trx: Knex.Transaction,
      run: { id: string; period: string },
      accounts: BillingAccount[],
      earnings: (PublisherEarnings | EarningsFailure)[],
    ): Promise<PageOutcome> {
      const ids = accounts.map((a) => a.publisherId);
      const byPublisher = new Map(earnings.map((e) => [e.publisherId, e]));
      if (ids.length === 0) return emptyOutcome();
      // The page's id range (accounts come in publisher id order, the database's) as well as its ids: with it the
      // lookup is an index range scan on (publisher_id, period) whatever the statistics say; with the ids alone,
      // PostgreSQL may take the period index and read every invoice of the month on every page.
      const live = await Invoice.query(trx)
        .whereBetween('publisher_id', [ids[0]!, ids[ids.length - 1]!])
        .whereIn('publisher_id', ids)
        .where('period', run.period)
        .whereNot('status', 'void')
        .withGraphFetched('lines');
      const liveByPublisher = new Map(live.map((i) => [i.publisherId, i]));
      const now = clock.now().toISOString();
      const steps = accounts.map((account) => plan(run, account, liveByPublisher.get(account.publisherId), byPublisher.get(account.publisherId), now));
      try {
        return await trx.transaction((savepoint) => applyBatch(savepoint, steps));
      } catch (error) {
        log.warn({ err: error, runId: run.id }, 'invoice run: the page failed as a whole; applying it account by account');
      }
      const outcome = emptyOutcome();
      for (const [index, account] of accounts.entries()) {
        const step = steps[index]!;
        try {
          const result = await trx.transaction((savepoint) => applyOne(savepoint, step));
          outcome[result]++;
          if (step.kind === 'fail') outcome.failures.push(step.failure);
        } catch (error) {
          log.warn({ err: error, runId: run.id, publisherId: account.publisherId }, 'invoice run: account failed');
          outcome.failed++;
          outcome.failures.push({
            publisherId: account.publisherId,
            ...(error instanceof DomainError
              ? { code: error.code, message: error.message }
              : { code: 'BILLING.ACCOUNT_FAILED', message: 'The draft could not be written (unexpected error: see the logs); a re-run retries it' }),
          });
        }
      }
      return outcome;
    },

    /** Brings one draft (with its lines) up to the given earnings, or voids it without share; the draft as it now is. */
    async refresh(trx: Knex.Transaction, draft: Invoice, earnings: PublisherEarnings): Promise<Invoice> {
      const step = plan({ id: draft.runId, period: draft.period }, draft, draft, earnings, clock.now().toISOString());
      await applyOne(trx, step);
      return (await Invoice.query(trx).findById(draft.id))!;
    },
  };
}

export type DraftInvoices = ReturnType<typeof makeDraftInvoices>;
