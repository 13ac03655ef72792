/**
 * The background worker that executes queued invoice runs (and takes over
 * runs whose worker died). Runs in every process that runs Billing; claims
 * are atomic, so several processes share the queue without running a run twice.
 */
import { newId, type BackgroundWorker, type Logger } from '../../src/kernel/index.ts';
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
  let wakeUp: (() => void) | null = null;
  let woken = false;

  function idle(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function work(): Promise<void> {
    while (running) {
      try {
        const run = await invoiceRuns.claimNext(owner);
        if (run) await invoiceRunner.execute(run, owner, { shouldStop: () => !running });
        else await idle(runOptions.pollMs);
      } catch (error) {
        log.error({ err: error }, 'invoice run worker pass failed');
        if (running) await idle(runOptions.pollMs);
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
      wakeUp?.();
      await loop;
      loop = null;
    },
    wake() {
      if (wakeUp) wakeUp();
      else woken = true;
    },
  };
}
