/** A reverse proxy on loopback, standing in for a deployment's ingress or load balancer. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface Route {
  prefix: RegExp;
  target: string;
}

/** Routes by path prefix; `fallback` may list several targets, taken in turn (round robin). */
export async function startIngress(t: ExecutionContext, routes: Route[], fallback: string | string[]): Promise<string> {
  const agent = new http.Agent({ keepAlive: true });
  const pool = Array.isArray(fallback) ? fallback : [fallback];
  let turn = 0;
  const server = http.createServer((req, res) => {
    const target = new URL(routes.find((r) => r.prefix.test(req.url ?? '/'))?.target ?? pool[turn++ % pool.length]!);
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    server.closeAllConnections();
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
