/**
 * The background worker that executes queued invoice runs (and takes over
 * runs whose worker died). Runs in every process that runs Billing; claims
 * are atomic, so several processes share the queue without running a run twice.
 */
import { makeIdleWait, newId, type BackgroundWorker, type Logger } from '../../src/kernel/index.ts';
import type { InvoiceRunOptions, InvoiceRuns } from './invoiceRuns.ts';
import type { InvoiceRunner } from './invoiceRunner.ts';

export interface InvoiceRunWorkerDeps {
  invoiceRuns: InvoiceRuns;
  invoiceRunner: InvoiceRunner;
  runOptions: InvoiceRunOptions;
  log: Logger;
}

export type InvoiceRunWorker = BackgroundWorker & {
  /** A run was queued in this process: look now instead of at the next poll. */
  wake(): void;
};

export function makeInvoiceRunWorker({ invoiceRuns, invoiceRunner, runOptions, log }: InvoiceRunWorkerDeps): InvoiceRunWorker {
  const owner = newId('wrk');
  let running = false;
  let loop: Promise<void> | null = null;
  const idle = makeIdleWait();

  async function work(): Promise<void> {
    while (running) {
      try {
        const run = await invoiceRuns.claimNext(owner);
        if (run) await invoiceRunner.execute(run, owner, { shouldStop: () => !running });
        else await idle.wait(runOptions.pollMs);
      } catch (error) {
        log.error({ err: error }, 'invoice run worker pass failed');
        if (running) await idle.wait(runOptions.pollMs);
      }
    }
  }

  return {
    name: 'billing.invoiceRuns',
    start() {
      if (running) return;
      running = true;
      loop = work();
    },
    async stop() {
      running = false;
      idle.wake();
      await loop;
      loop = null;
    },
    wake: idle.wake,
  };
}
