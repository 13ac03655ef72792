/**
 * The sample ingress of README "Extracting a module" (deploy/nginx/seams-split.conf):
 * its routes send each API path to the module that serves it, and, with Debian's
 * nginx in front of two real seams processes, requests and events go through.
 * Without nginx the second test is not registered (test/banner.ts says so);
 * CI installs it, and there a missing nginx fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import test from 'ava';
import { mountedRoutes } from '../../src/tools/rolesTable.ts';
import { spawnTs } from '../helpers/child.ts';
import { tempDir } from '../helpers/databases.ts';
import { BOOTSTRAP, clientFor } from '../helpers/server.ts';
import { NGINX, nginxInstalled } from '../helpers/nginx.ts';
import { eventually } from './harness.ts';

const SAMPLE = 'deploy/nginx/seams-split.conf';
const SERVICE_TOKEN = 'service-token-for-nginx-0123456789';

/** The sample's `location <prefix> { proxy_pass http://seams_<module>; }` lines. */
function sampleRoutes(): { prefix: string; module: string }[] {
  const text = fs.readFileSync(SAMPLE, 'utf8');
  return [...text.matchAll(/location\s+(\S+)\s*\{\s*proxy_pass\s+http:\/\/seams_(\w+);/g)].map((m) => ({ prefix: m[1]!, module: m[2]! }));
}

/** nginx's choice: the longest matching prefix. */
const routedTo = (routes: { prefix: string; module: string }[], path: string) =>
  routes.filter((r) => path.startsWith(r.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0]?.module;

test('the sample ingress sends every mounted route to the module that declares it (tokens and the rest to operations)', async (t) => {
  const routes = sampleRoutes();
  t.true(routes.length >= 4, JSON.stringify(routes));
  for (const { module, route } of await mountedRoutes()) {
    // A sample id in place of each parameter, as a client sends it; each process serves /v1/tokens, the ingress picks operations.
    const expected = module === 'platform' ? 'operations' : module;
    t.is(routedTo(routes, route.path.replace(/:(\w+)/g, 'x_1')), expected, `${route.method.toUpperCase()} ${route.path}`);
  }
  for (const path of ['/docs', '/openapi.json', '/health', '/ready', '/metrics']) t.is(routedTo(routes, path), 'operations', path);
});

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

if (nginxInstalled() || process.env.CI) {
  test("Debian's nginx with the sample config in front of an operations and a billing process: each path reaches its module, events cross, /internal stays closed, compression passes through", async (t) => {
    t.true(nginxInstalled(), `${NGINX} is missing: install it with \`apt-get install -y nginx-light\` (Debian's package)`);
    const [opsPort, billingPort, ingressPort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = tempDir(t);
    const common = {
      HOST: '127.0.0.1',
      SEAMS_DATA_DIR: dataDir,
      SEAMS_SERVICE_TOKEN: SERVICE_TOKEN,
      SEAMS_BOOTSTRAP_TOKEN: BOOTSTRAP,
      SEAMS_TRUST_PROXY: '1',
      SEAMS_SHUTDOWN_DRAIN_MS: '0',
    };
    const start = async (env: NodeJS.ProcessEnv) => {
      const child = spawnTs('src/main.ts', [], { ...common, ...env });
      t.teardown(() => child.process.kill('SIGKILL'));
      await child.waitFor('seams listening on');
      return child;
    };
    // One after the other: both migrate the shared platform database.
    await start({ PORT: String(opsPort), SEAMS_MODULES: 'operations', SEAMS_REMOTE_BILLING: `http://127.0.0.1:${billingPort}` });
    await start({ PORT: String(billingPort), SEAMS_MODULES: 'billing', SEAMS_REMOTE_OPERATIONS: `http://127.0.0.1:${opsPort}` });

    const dir = tempDir(t, 'seams-nginx-');
    const site = fs
      .readFileSync(SAMPLE, 'utf8')
      .replace('127.0.0.1:3000', `127.0.0.1:${opsPort}`)
      .replace('127.0.0.1:3001', `127.0.0.1:${billingPort}`)
      .replace('listen 8080;', `listen 127.0.0.1:${ingressPort};`);
    fs.writeFileSync(path.join(dir, 'seams-split.conf'), site);
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        // One process as this user, in the foreground, everything in the temp folder.
        'daemon off;',
        'master_process off;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 64; }',
        `http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi; include ${dir}/seams-split.conf; }`,
      ].join('\n'),
    );
    const nginx = spawn(NGINX, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
    t.teardown(() => nginx.kill('SIGKILL'));
    const ingress = clientFor(`http://127.0.0.1:${ingressPort}`);
    await eventually(
      () => ingress.get('/health', null).catch(() => ({ status: 0 })),
      (r) => r.status === 200,
      'nginx to answer',
      15_000,
    );

    const ops = await ingress.token('ops');
    const finance = await ingress.token('finance');
    const publisher = await ingress.post(
      '/v1/publishers',
      { name: 'Ingress Games', contactEmail: 'pay@ingress.example', country: 'FI' },
      ops,
    );
    t.is(publisher.status, 201, publisher.text);
    // Billing's route, through the ingress to the billing process, which opened the account from Operations' event.
    const account = await eventually(
      () => ingress.get(`/v1/billing-accounts/${publisher.body.id}`, finance),
      (r) => r.status === 200,
      'the billing account',
    );
    t.is(account.body.legalName, 'Ingress Games');
    t.deepEqual((await ingress.get('/v1/invoices', finance)).body, { data: [], nextCursor: null });
    // The operations process alone does not serve it: the 200 above came through the ingress's routing.
    t.is((await clientFor(`http://127.0.0.1:${opsPort}`).get('/v1/invoices', finance)).body.code, 'ROUTE_NOT_FOUND');
    // Operations' dashboard reads its own view of Billing's events: it answers without calling Billing.
    t.is((await ingress.get(`/v1/publishers/${publisher.body.id}/dashboard`, ops)).status, 200);

    const internal = await ingress.post('/internal/billing/events', {}, SERVICE_TOKEN);
    t.is(internal.status, 404, 'facade calls and events never go through the public ingress');
    t.notRegex(internal.text, /problem|code/);

    const bundle = await fetch(`http://127.0.0.1:${ingressPort}/docs/swagger-ui-bundle.js`, { headers: { 'accept-encoding': 'gzip' } });
    t.is(bundle.status, 200);
    t.is(bundle.headers.get('content-encoding'), 'gzip');
  });
}
