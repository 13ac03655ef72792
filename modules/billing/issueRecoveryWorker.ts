/**
 * Runs the issue recovery sweep (invoiceIssue.recover) in every process that
 * runs Billing: at start, so a restarted process releases the closes of issue
 * attempts that died with it, and then every sweepMs.
 */
import { makeLoopWorker, type BackgroundWorker, type Logger } from '../../src/kernel/index.ts';
import type { InvoiceIssue, IssueOptions } from './invoiceIssue.ts';

export function makeIssueRecoveryWorker({
  invoiceIssue,
  issueOptions,
  log,
}: {
  invoiceIssue: InvoiceIssue;
  issueOptions: IssueOptions;
  log: Logger;
}): BackgroundWorker {
  return makeLoopWorker({
    name: 'billing.issueRecovery',
    idleMs: issueOptions.sweepMs,
    log,
    async pass() {
      const released = await invoiceIssue.recover();
      if (released > 0) log.info({ released }, 'issue recovery: released the closes of attempts that did not issue');
      return 'idle';
    },
  });
}
