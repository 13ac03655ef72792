/** What /metrics reads at scrape time besides the request and facade figures: modules' own gauges and the broker's queues. */
import type { Composition } from '../platform/container.ts';
import type { Broker } from '../platform/events/broker.ts';
import type { Metrics } from '../platform/metrics.ts';

export function addGauges(metrics: Metrics, composition: Composition, broker: Broker | null): void {
  for (const m of composition.modules) metrics.addGauges(m.definition.name, m.definition.gauges?.(m.container.cradle) ?? []);
  if (!broker) return;
  metrics.addGauges('broker', [
    {
      name: 'seams_broker_messages',
      help: "Messages waiting in the broker per module: its queue ('queued') and its dead-letter queue ('dead')",
      labelNames: ['module', 'queue'],
      collect: async () =>
        (await broker.depths()).flatMap(({ module, queued, dead }) => [
          { labels: { module, queue: 'queued' }, value: queued },
          { labels: { module, queue: 'dead' }, value: dead },
        ]),
    },
  ]);
}
