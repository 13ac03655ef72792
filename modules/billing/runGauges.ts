/** Invoice-run progress on /metrics: every counter of each queued or running run. */
import type { GaugeSpec, ModuleDatabase } from '../../src/kernel/index.ts';

const COUNTERS = ['total', 'processed', 'created', 'updated', 'skipped', 'failed'] as const;

export function invoiceRunGauges({ db }: { db: ModuleDatabase }): GaugeSpec[] {
  return [
    {
      name: 'seams_billing_invoice_run_progress',
      help: 'Progress counters of invoice runs that are queued or running',
      labelNames: ['run', 'period', 'status', 'counter'],
      async collect() {
        const runs = await db.knex('invoice_runs').whereIn('status', ['queued', 'running']).select('id', 'period', 'status', ...COUNTERS);
        return runs.flatMap((run) =>
          COUNTERS.map((counter) => ({ labels: { run: run.id, period: run.period, status: run.status, counter }, value: Number(run[counter]) })),
        );
      },
    },
  ];
}
