/**
 * Billing's operator commands: `invoices run --period YYYY-MM` (a run executed in
 * this process, with a progress bar) and `billing accounts sync`.
 */
import { isMonth, newId, type CommandSpec, type Facade } from '../../src/kernel/index.ts';
import type { operationsContract } from '../operations/contract.ts';
import type { BillingAccounts } from './accounts.ts';
import type { InvoiceRuns } from './invoiceRuns.ts';
import type { InvoiceRunner } from './invoiceRunner.ts';

export interface BillingCommandsDeps {
  invoiceRuns: InvoiceRuns;
  invoiceRunner: InvoiceRunner;
  billingAccounts: BillingAccounts;
  operationsFacade: Facade<typeof operationsContract>;
}

/** Declared before the cradle can be read (help lists them first): its parts are read inside run. */
export function billingCommands(cradle: BillingCommandsDeps): CommandSpec[] {
  return [
    {
      name: 'invoices run',
      summary: 'Create or recompute the draft invoices of a month, here and now (resumes an abandoned run of it)',
      options: [
        {
          name: 'period',
          value: 'YYYY-MM',
          description: 'the month to invoice',
          required: true,
          check: (v) => (isMonth(v) ? null : 'must be a month, YYYY-MM'),
        },
      ],
      async run({ options }, io) {
        const { invoiceRuns, invoiceRunner } = cradle;
        const owner = newId('cli');
        const run = await invoiceRuns.request(options.period!, { requestedBy: 'cli', owner });
        const progress = io.progress(`invoice run ${run.period}`, 'accounts', run.total);
        progress.update(run.processed, run.total);
        const final = await invoiceRunner.execute(run, owner, { onProgress: (r) => progress.update(r.processed, r.total) });
        const summary = `${final.created} created, ${final.updated} updated, ${final.skipped} skipped, ${final.failed} failed`;
        progress.finish(`${final.processed} accounts: ${summary}`);
        io.out.write(`${JSON.stringify(final)}\n`);
        if (final.status !== 'succeeded') io.err.write(`invoice run ${final.id} ${final.status}${final.error ? `: ${final.error}` : ''}\n`);
        return final.status === 'succeeded' && final.failed === 0 ? 0 : 1;
      },
    },
    {
      name: 'billing accounts sync',
      summary: 'Open billing accounts for active publishers that have none (registered before Billing ran)',
      async run(_input, io) {
        const { billingAccounts, operationsFacade } = cradle;
        const progress = io.progress('billing accounts sync', 'publishers');
        let cursor: string | null = null;
        let seen = 0;
        let opened = 0;
        do {
          const page: Awaited<ReturnType<typeof operationsFacade.activePublishers>> = await operationsFacade.activePublishers({
            limit: 500,
            cursor,
          });
          opened += await billingAccounts.openMissing(
            page.data.map((p) => ({ publisherId: p.id, name: p.name, contactEmail: p.contactEmail })),
          );
          seen += page.data.length;
          progress.update(seen);
          cursor = page.nextCursor;
        } while (cursor !== null);
        progress.finish(`${seen} active publishers, ${opened} billing accounts opened`);
        io.out.write(`${opened}\n`);
        return 0;
      },
    },
  ];
}
