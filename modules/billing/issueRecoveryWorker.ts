/**
 * Runs the issue recovery sweep (invoiceIssue.recover) in every process that
 * runs Billing: at start, so a restarted process releases the closes of issue
 * attempts that died with it, and then every sweepMs.
 */
import { makeIdleWait, type BackgroundWorker, type Logger } from '../../src/kernel/index.ts';
import type { InvoiceIssue, IssueOptions } from './invoiceIssue.ts';

export function makeIssueRecoveryWorker({ invoiceIssue, issueOptions, log }: { invoiceIssue: InvoiceIssue; issueOptions: IssueOptions; log: Logger }): BackgroundWorker {
  let running = false;
  let loop: Promise<void> | null = null;
  const idle = makeIdleWait();

  async function work(): Promise<void> {
    while (running) {
      try {
        const released = await invoiceIssue.recover();
        if (released > 0) log.info({ released }, 'issue recovery: released the closes of attempts that did not issue');
      } catch (error) {
        log.warn({ err: error }, 'issue recovery pass failed; trying again');
      }
      if (running) await idle.wait(issueOptions.sweepMs);
    }
  }

  return {
    name: 'billing.issueRecovery',
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
  };
}
