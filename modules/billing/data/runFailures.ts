/** Why an invoice run could not invoice some publishers: one row per run and publisher, the latest reason kept. */
import type { BulkWrite, ColumnTypes, ModuleDatabase } from '../../../src/kernel/index.ts';
import type { RunFailure } from '../draftPlan.ts';

/** At most this many failures are listed on a run; its `failed` counts them all. */
const LISTED_FAILURES = 100;

const FAILURE_COLUMNS: ColumnTypes = { run_id: 'text', publisher_id: 'text', code: 'text', message: 'text' };

/** A page's failures as a write of the page's commit; a publisher that failed before gets its new reason. */
export function runFailuresWrite(runId: string, failures: RunFailure[]): BulkWrite {
  const rows = failures.map((failure) => ({
    run_id: runId,
    publisher_id: failure.publisherId,
    code: failure.code.slice(0, 80),
    message: failure.message.slice(0, 2000),
  }));
  return { table: 'invoice_run_failures', columns: FAILURE_COLUMNS, rows, on: { conflict: ['run_id', 'publisher_id'], update: ['code', 'message'] } };
}

/** The first failures of a run, in publisher id order. */
export function listRunFailures(db: ModuleDatabase, runId: string): Promise<RunFailure[]> {
  return db.select<RunFailure>(
    'select "publisher_id" as "publisherId", "code", "message" from "invoice_run_failures" ' +
      'where "run_id" = ? order by "publisher_id" limit ?',
    [runId, LISTED_FAILURES],
  );
}
