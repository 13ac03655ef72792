/**
 * Prometheus metrics, one registry per app: HTTP requests per route and
 * module, facade calls per method and transport, outbox backlog and delivery
 * lag per module (read at scrape time), and the process's own figures.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import client from 'prom-client';
import type { GaugeSpec, ModuleDatabase } from '../kernel/index.ts';
import { eventCounts } from './events/operator.ts';

/** The request being served: its route, and how many facade calls it has made. */
export const currentRoute = new AsyncLocalStorage<{ route: string; facadeCalls: number }>();

export type Transport = 'local' | 'http';

export function makeMetrics(moduleDatabases: ModuleDatabase[]) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });

  const requests = new client.Counter({
    name: 'seams_http_requests_total',
    help: 'HTTP requests by route, module and status',
    labelNames: ['method', 'route', 'module', 'status'] as const,
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'seams_http_request_duration_seconds',
    help: 'HTTP request latency by route and module',
    labelNames: ['method', 'route', 'module'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const facadeCalls = new client.Counter({
    name: 'seams_facade_calls_total',
    help: 'Calls of a module facade by method, transport, outcome and the HTTP route that made them',
    labelNames: ['module', 'method', 'transport', 'outcome', 'route'] as const,
    registers: [registry],
  });
  const facadeLatency = new client.Histogram({
    name: 'seams_facade_call_duration_seconds',
    help: 'Facade call latency by method and transport',
    labelNames: ['module', 'method', 'transport'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  // The most facade calls one answered request of a route made: the network hops it costs once split.
  const callsPerRequest = new Map<string, number>();
  new client.Gauge({
    name: 'seams_facade_calls_per_request_max',
    help: 'The most facade calls a single answered request of the route has made',
    labelNames: ['route'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [route, most] of callsPerRequest) this.set({ route }, most);
    },
  });
  new client.Gauge({
    name: 'seams_outbox_events',
    help: 'Undelivered outbox rows per module and state',
    labelNames: ['module', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const db of moduleDatabases) {
        const counts = await eventCounts(db);
        this.set({ module: db.module, state: 'pending' }, counts.pending);
        this.set({ module: db.module, state: 'in_flight' }, counts.inFlight);
        this.set({ module: db.module, state: 'dead' }, counts.dead);
      }
    },
  });
  new client.Gauge({
    name: 'seams_outbox_delivery_lag_seconds',
    help: 'Age of the oldest undelivered, not dead-lettered event per module (0 when none)',
    labelNames: ['module'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const db of moduleDatabases) {
        const row = await db.knex('outbox').whereIn('status', ['pending', 'in_flight']).min({ oldest: 'occurred_at' }).first();
        this.set({ module: db.module }, row?.oldest ? Math.max(0, (Date.now() - Date.parse(row.oldest)) / 1000) : 0);
      }
    },
  });

  return {
    registry,
    observeRequest(labels: { method: string; route: string; module: string; status: number }, seconds: number, facadeCalls: number): void {
      requests.inc({ ...labels, status: String(labels.status) });
      if (facadeCalls > 0 && labels.status < 400) {
        const route = `${labels.method} ${labels.route}`;
        callsPerRequest.set(route, Math.max(callsPerRequest.get(route) ?? 0, facadeCalls));
      }
      latency.observe({ method: labels.method, route: labels.route, module: labels.module }, seconds);
    },
    /** Wraps every method of a facade to count and time its calls. */
    instrumentFacade<F extends object>(module: string, transport: Transport, facade: F): F {
      const wrapped: Record<string, unknown> = {};
      for (const [method, fn] of Object.entries(facade)) {
        wrapped[method] = async (input: unknown) => {
          const stop = facadeLatency.startTimer({ module, method, transport });
          const served = currentRoute.getStore();
          const route = served?.route ?? 'background';
          if (served) served.facadeCalls++;
          try {
            const output = await (fn as (input: unknown) => Promise<unknown>)(input);
            facadeCalls.inc({ module, method, transport, outcome: 'ok', route });
            return output;
          } catch (error) {
            facadeCalls.inc({ module, method, transport, outcome: 'error', route });
            throw error;
          } finally {
            stop();
          }
        };
      }
      return wrapped as F;
    },
    /** A module's own gauges (e.g. invoice-run progress), read at scrape time. */
    addGauges(module: string, gauges: GaugeSpec[]): void {
      for (const gauge of gauges) {
        if (!gauge.name.startsWith(`seams_${module}_`)) throw new Error(`gauge ${gauge.name} of ${module} must be named seams_${module}_…`);
        new client.Gauge({
          name: gauge.name,
          help: gauge.help,
          labelNames: gauge.labelNames,
          registers: [registry],
          async collect() {
            this.reset();
            for (const { labels, value } of await gauge.collect()) this.set(labels, value);
          },
        });
      }
    },
    async text(): Promise<string> {
      return registry.metrics();
    },
  };
}

export type Metrics = ReturnType<typeof makeMetrics>;
