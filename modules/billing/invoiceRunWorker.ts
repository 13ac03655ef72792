/**
 * The background worker that executes queued invoice runs (and takes over
 * runs whose worker died). Runs in every process that runs Billing; claims
 * are atomic, so several processes share the queue without running a run twice.
 */
import { makeLoopWorker, newId, type Logger, type LoopWorker } from '../../src/kernel/index.ts';
import type { InvoiceRuns } from './invoiceRuns.ts';
import type { InvoiceRunner } from './invoiceRunner.ts';
import type { InvoiceRunOptions } from './runOptions.ts';

export interface InvoiceRunWorkerDeps {
  invoiceRuns: InvoiceRuns;
  invoiceRunner: InvoiceRunner;
  runOptions: InvoiceRunOptions;
  log: Logger;
}

export type InvoiceRunWorker = LoopWorker;

export function makeInvoiceRunWorker({ invoiceRuns, invoiceRunner, runOptions, log }: InvoiceRunWorkerDeps): InvoiceRunWorker {
  const owner = newId('wrk');
  return makeLoopWorker({
    name: 'billing.invoiceRuns',
    idleMs: runOptions.pollMs,
    log,
    async pass(running) {
      const run = await invoiceRuns.claimNext(owner);
      if (!run) return 'idle';
      await invoiceRunner.execute(run, owner, { shouldStop: () => !running() });
      return 'busy';
    },
  });
}
