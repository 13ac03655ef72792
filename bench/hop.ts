/**
 * Figure 2 and issue 6 item 7, the cost of the hop: `GET /v1/publishers/{id}/dashboard`
 * (Operations' data plus one Billing facade call) in the monolith vs split over
 * HTTP in two processes, in one run. Both topologies get the same single server
 * core: the split's two processes share it, so the ratio is the whole price of
 * the hop (serialisation, validation on both ends, a second HTTP stack).
 * `npm run bench:hop` runs just this.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { BenchDatabase } from './lib/databases.ts';
import { compare, type Comparison } from './lib/load.ts';
import type { ReadData } from './lib/seedRead.ts';
import { startSeams, startSplit } from './lib/servers.ts';
import type { Settings } from './lib/settings.ts';

export interface HopResult {
  dialect: string;
  comparison: Comparison;
  ratio: number;
  /** One request at a time: what the hop adds to a single request's latency. */
  oneAtATime: Comparison;
  addedMs: number;
}

export async function hop(db: BenchDatabase, data: ReadData, settings: Settings): Promise<HopResult> {
  settings.log(`  cross-module read (dashboard) on ${db.dialect}: monolith vs split`);
  const monolith = await startSeams(db.env, { logFile: path.join(db.dataDir, 'hop-monolith.log') });
  const split = await startSplit(db.env, db.dataDir);
  try {
    const paths = data.publisherIds.map((id) => `/v1/publishers/${id}/dashboard`);
    const headers = { authorization: `Bearer ${data.opsToken}` };
    const [a, b] = (await Promise.all(
      [monolith.url, split.operations.url].map((url) => fetch(`${url}${paths[0]}`, { headers }).then((r) => r.json() as Promise<{ invoices: unknown[] }>)),
    )) as [{ invoices: unknown[] }, { invoices: unknown[] }];
    assert.deepEqual(a, b, 'the monolith and the split answer the dashboard differently');
    assert.equal(a.invoices.length, 5, 'the dashboard should list 5 invoices');
    const comparison = await compare(
      [
        { name: 'monolith', spec: { url: monolith.url, paths, headers } },
        { name: 'split over HTTP', spec: { url: split.operations.url, paths, headers } },
      ],
      settings,
    );
    const ratio = comparison.median['split over HTTP']!.rps / comparison.median.monolith!.rps;
    settings.log(`    → ratio ${ratio.toFixed(2)}`);
    settings.log('    one request at a time (1 connection):');
    const oneAtATime = await compare(
      [
        { name: 'monolith', spec: { url: monolith.url, paths, headers, connections: 1 } },
        { name: 'split over HTTP', spec: { url: split.operations.url, paths, headers, connections: 1 } },
      ],
      // Latency, not throughput: shorter rounds do (and keep --quick under 3 minutes).
      settings.quick ? { ...settings, rounds: 1, seconds: 2 } : { ...settings, seconds: 5 },
    );
    const addedMs = oneAtATime.median['split over HTTP']!.p50 - oneAtATime.median.monolith!.p50;
    settings.log(`    → the hop adds ${addedMs.toFixed(2)} ms at p50`);
    return { dialect: db.dialect, comparison, ratio, oneAtATime, addedMs };
  } finally {
    await Promise.all([monolith.stop(), split.stop()]);
  }
}
