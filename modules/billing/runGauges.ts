/** Invoice-run progress on /metrics: every counter of each queued or running run. */
import type { GaugeSpec, ModuleDatabase } from '../../src/kernel/index.ts';

const COUNTERS = ['total', 'processed', 'created', 'updated', 'skipped', 'failed'] as const;

type LiveRun = { id: string; period: string; status: string } & Record<(typeof COUNTERS)[number], number | string>;

const LIVE_RUNS = `select "id", "period", "status", ${COUNTERS.map((counter) => `"${counter}"`).join(', ')}
  from "invoice_runs" where "status" in ('queued', 'running')`;

export function invoiceRunGauges({ db }: { db: ModuleDatabase }): GaugeSpec[] {
  return [
    {
      name: 'seams_billing_invoice_run_progress',
      help: 'Progress counters of invoice runs that are queued or running',
      labelNames: ['run', 'period', 'status', 'counter'],
      async collect() {
        const runs = await db.select<LiveRun>(LIVE_RUNS, []);
        return runs.flatMap(({ id, period, status, ...counters }) =>
          COUNTERS.map((counter) => ({ labels: { run: id, period, status, counter }, value: Number(counters[counter]) })),
        );
      },
    },
  ];
}
