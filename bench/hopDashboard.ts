/**
 * Figure 2a, a read that no longer hops: `GET /v1/publishers/{id}/dashboard`
 * in the monolith vs split over HTTP. The dashboard reads Operations' own view
 * of Billing's invoices (kept from Billing's events), so the split's Operations
 * process answers it alone: the ratio should stay near 1, and a drop below
 * that would mean a call across the edge came back. Both topologies get the
 * same single server core (the split's idle Billing process shares it); the
 * servers' CPU time per request says the same where other load on the
 * machine blurs requests per second. The isolated topology runs the same
 * split with Billing on a store of its own (its own SQLite folder or
 * PostgreSQL database), the processes each other's token peers: nothing
 * shared but the network.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { createDatabase, type BenchDatabase } from './lib/databases.ts';
import { compare, ratioSpread, type Comparison } from './lib/load.ts';
import type { ReadData } from './lib/seedRead.ts';
import { startedTogether, startSeams, startSplit } from './lib/servers.ts';
import type { Settings } from './lib/settings.ts';
import { fmtSpread, type Spread } from './lib/stats.ts';

export interface DashboardSplit {
  comparison: Comparison;
  /** Split ÷ monolith, requests per second, round by round; the ratio is its median. */
  spread: Spread;
  ratio: number;
  /** Isolated ÷ monolith, the same way (absent from runs before it was measured). */
  isolatedSpread?: Spread;
}

export const ISOLATED = 'isolated';

export async function dashboardSplit(db: BenchDatabase, data: ReadData, settings: Settings): Promise<DashboardSplit> {
  settings.log(`  dashboard on ${db.dialect}: monolith vs split vs isolated (no facade call)`);
  const billingStore = await createDatabase(db.dialect, 'isolated_billing');
  const [monolith, split, isolated] = await startedTogether([
    startSeams(db.env, { logFile: path.join(db.dataDir, 'dashboard-monolith.log') }),
    startSplit(db.env, db.dataDir),
    startSplit(db.env, db.dataDir, billingStore.env),
  ] as const).catch(async (error: unknown) => {
    await billingStore.drop();
    throw error;
  });
  try {
    const paths = data.publisherIds.map((id) => `/v1/publishers/${id}/dashboard`);
    const headers = { authorization: `Bearer ${data.opsToken}` };
    const [a, b, c] = await Promise.all(
      [monolith.url, split.operations.url, isolated.operations.url].map((url) =>
        fetch(`${url}${paths[0]}`, { headers }).then((r) => r.json() as Promise<{ invoices: unknown[] }>),
      ),
    );
    assert.deepEqual(a, b, 'the monolith and the split answer the dashboard differently');
    assert.deepEqual(a, c, 'the monolith and the isolated services answer the dashboard differently');
    assert.equal(a!.invoices.length, 5, "the dashboard should list 5 invoices from Operations' view of them");
    const comparison = await compare(
      [
        { name: 'monolith', spec: { url: monolith.url, paths, headers }, pids: [monolith.proc.pid] },
        {
          name: 'split over HTTP',
          spec: { url: split.operations.url, paths, headers },
          pids: [split.operations.proc.pid, split.billing.proc.pid],
        },
        {
          name: ISOLATED,
          spec: { url: isolated.operations.url, paths, headers },
          pids: [isolated.operations.proc.pid, isolated.billing.proc.pid],
        },
      ],
      // --quick: one round each, enough to show nothing crosses (the suite stays under 3 minutes).
      settings.quick ? { ...settings, rounds: 1 } : settings,
    );
    const [one, two, three] = [comparison.median.monolith!, comparison.median['split over HTTP']!, comparison.median[ISOLATED]!];
    const spread = ratioSpread(comparison, 'split over HTTP', 'monolith');
    const isolatedSpread = ratioSpread(comparison, ISOLATED, 'monolith');
    const cpu = [one, two, three].map((c) => `${c.cpuUsPerRequest.toFixed(0)} µs`).join(' / ');
    settings.log(`    → split ÷ monolith ${fmtSpread(spread)}, isolated ÷ monolith ${fmtSpread(isolatedSpread)}; CPU per request ${cpu}`);
    return { comparison, spread, ratio: spread.median, isolatedSpread };
  } finally {
    await Promise.all([monolith.stop(), split.stop(), isolated.stop()]);
    await billingStore.drop();
  }
}
