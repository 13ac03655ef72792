/**
 * The load generator, run as its own process (pinned to core 1 by bench/lib/load.ts) for the
 * whole run: each JSON line on stdin is one load, run when the one before it has ended:
 * autocannon against one base URL, cycling through the given paths for `seconds`
 * (or sending `amount` requests: with one connection and as many paths, each path
 * once), then one JSON line on stdout: requests/s, exact p50/p99 of the 2xx
 * latencies after the first `uncounted` responses, errors. One process for every
 * load spares a start (~0.6 s) per load, and its own code is warm after the first.
 */
import readline from 'node:readline';
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  connections: number;
  seconds?: number;
  amount?: number;
  uncounted?: number;
  method?: string;
  body?: string;
}

function run(spec: LoadSpec): Promise<string> {
  const latencies: number[] = [];
  let uncounted = spec.uncounted ?? 0;

  // Called with a callback-less options object it returns the EventEmitter instance (its typings say Promise).
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.seconds }),
    headers: spec.headers,
    requests: spec.paths.map((path) => ({
      method: (spec.method ?? 'GET') as 'GET',
      path,
      ...(spec.body !== undefined && { body: spec.body }),
    })),
  }) as unknown as autocannon.Instance;

  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (uncounted > 0) uncounted--;
    else if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });

  return new Promise((resolve) =>
    instance.on('done', (result: autocannon.Result) => {
      latencies.sort((a, b) => a - b);
      const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? NaN;
      const seconds = result.duration;
      resolve(
        JSON.stringify({
          requests: result.requests.total,
          ok: latencies.length,
          rps: latencies.length / seconds,
          p50: at(50),
          p99: at(99),
          max: latencies[latencies.length - 1] ?? NaN,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          seconds,
        }),
      );
    }),
  );
}

// One load at a time, in the order asked: a load is never measured beside another.
for await (const line of readline.createInterface({ input: process.stdin })) {
  process.stdout.write(`${await run(JSON.parse(line) as LoadSpec)}\n`);
}
