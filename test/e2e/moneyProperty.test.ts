/**
 * The billing invariant as a property: over random interleavings of delivery
 * writes, invoice runs, issues and voids (each step a batch sent at once),
 * every issued invoice bills exactly what /earnings says its month delivered.
 */
import test from 'ava';
import fc from 'fast-check';
import { lineMinor } from '../../src/kernel/index.ts';
import { dialects } from '../helpers/databases.ts';
import { bootTopology, deliveryRow, eventually, newPublisher } from './harness.ts';

type Action = { kind: 'write'; unit: number; day: number; micros: number } | { kind: 'run' } | { kind: 'issue' } | { kind: 'void' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      unit: fc.nat(1),
      day: fc.integer({ min: 1, max: 28 }),
      micros: fc.integer({ min: 1, max: 50_000_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'run' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'issue' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'void' as const }) },
);

for (const dialect of dialects) {
  for (const topology of ['monolith', 'split'] as const) {
    test(`[${dialect}/${topology}] for any interleaving of writes, runs, issues and voids, an issued invoice bills exactly its month's delivery`, async (t) => {
      const api = await bootTopology(t, dialect, topology, { measured: false });
      const [ops, finance] = [await api.token('ops'), await api.token('finance')];
      const { publisherId, adUnitId } = await newPublisher(api, ops);
      const apps = (await api.get(`/v1/publishers/${publisherId}/apps`, ops)).body.data;
      const second = (await api.post(`/v1/apps/${apps[0].id}/ad-units`, { name: 'second', format: 'banner' }, ops)).body.id as string;
      const units = [adUnitId, second];
      await eventually(
        () => api.get(`/v1/billing-accounts/${publisherId}`, finance),
        (r) => r.status === 200,
        'the billing account',
      );
      let round = 0;
      let issuedChecked = 0;

      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(action, { minLength: 1, maxLength: 4 }), { minLength: 4, maxLength: 8 }), async (batches) => {
          const period = `20${String(10 + round++).padStart(2, '0')}-06`; // a fresh month for every run
          const invoices = async () =>
            (await api.get(`/v1/invoices?publisherId=${publisherId}&period=${period}`, finance)).body.data as any[];
          const perform = async (step: Action) => {
            if (step.kind === 'write') {
              const row = deliveryRow(units[step.unit]!, `${period}-${String(step.day).padStart(2, '0')}`, step.micros);
              return (await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [row] } })).status;
            }
            if (step.kind === 'run') {
              // A run is a job: the step lasts until it ends (another step of the batch may still race it).
              const queued = await api.post('/v1/invoice-runs', { period }, finance);
              if (queued.status === 202)
                await eventually(
                  () => api.get(`/v1/invoice-runs/${queued.body.id}`, finance),
                  (r) => ['succeeded', 'failed'].includes(r.body.status),
                  'the run',
                );
              return queued.status;
            }
            const wanted = step.kind === 'issue' ? ['draft'] : ['draft', 'issued'];
            const live = (await invoices()).find((i) => wanted.includes(i.status));
            if (!live) return 0;
            const body = step.kind === 'issue' ? { status: 'issued' } : { status: 'void', reason: 'property test' };
            return (await api.request('PATCH', `/v1/invoices/${live.id}`, { token: finance, body })).status;
          };
          // Every interleaving ends with a write, a run and two issues (the first may find the draft stale), one
          // step after another, so each run checks at least one issued invoice as well as whatever came before.
          const settle: Action[][] = [
            [{ kind: 'write', unit: 0, day: 28, micros: 1_000_000 }],
            [{ kind: 'run' }],
            [{ kind: 'issue' }],
            [{ kind: 'issue' }],
          ];
          for (const batch of [...batches, ...settle]) {
            const statuses = await Promise.all(batch.map(perform));
            for (const status of statuses) {
              if (![0, 200, 202, 409, 412].includes(status)) throw new Error(`unexpected ${status} in ${JSON.stringify(batch)}`);
            }
            for (const invoice of (await invoices()).filter((i) => i.status === 'issued')) {
              issuedChecked++;
              const earnings = (await api.get(`/v1/publishers/${publisherId}/earnings?from=${period}-01&to=${period}-28`, finance)).body;
              const billed = invoice.lines.reduce((sum: number, line: { grossMicros: number }) => sum + line.grossMicros, 0);
              if (billed !== earnings.grossMicros || invoice.totalMinor !== Number(lineMinor(earnings.grossMicros, 7000))) {
                throw new Error(
                  `invoice ${invoice.number} bills ${billed} micros (${invoice.totalMinor} cents); ${period} delivered ${earnings.grossMicros}`,
                );
              }
            }
          }
        }),
        { numRuns: 8 },
      );
      t.true(issuedChecked > 0, `issued invoices checked: ${issuedChecked}`);
      t.log(`issued invoices checked: ${issuedChecked}`);
    });
  }
}
