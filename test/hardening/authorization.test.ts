/**
 * The authorization matrix, generated from what is mounted (each module's
 * RouteSpecs, the token routes and the modules' contracts), not from a hand
 * list: a route added tomorrow is checked tomorrow, and one whose id this file
 * cannot resolve fails the test until it is taught.
 */
import http from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import type { RouteSpec } from '../../src/kernel/index.ts';
import { tokenRoutes } from '../../src/platform/auth/tokenRoutes.ts';
import { dialects } from '../helpers/databases.ts';
import { boot, type Booted } from '../helpers/server.ts';
import { seed, type Seeded, type SeededPublisher } from './seed.ts';

const modules = [operationsModule, billingModule];
const SERVICE_TOKEN = 'service-token-for-hardening-0123456789';

interface Answer {
  status: number;
  type: string;
  wwwAuthenticate: string | undefined;
  body: any;
}

/**
 * One request over real HTTP. `from` picks the loopback source address: the
 * failed-authentication limiter counts per client address, so the matrix's
 * hundreds of deliberate 401s come from many "clients" and never trip its 429.
 */
function send(
  url: string,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; from?: string } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        localAddress: options.from,
        agent: false,
        headers: {
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const type = String(res.headers['content-type'] ?? '');
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode!,
            type,
            wwwAuthenticate: res.headers['www-authenticate'] as string | undefined,
            body: type.includes('json') && text ? JSON.parse(text) : text.slice(0, 200),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let clients = 0;
/** A loopback address no request has used yet: 127.0.<n>.<m>. */
const freshClient = () => {
  clients++;
  return `127.0.${1 + (Math.floor(clients / 250) % 250)}.${1 + (clients % 250)}`;
};

interface Mounted {
  module: string;
  spec: RouteSpec;
}

function mountedRoutes(api: Booted): Mounted[] {
  return [
    ...tokenRoutes(api.app.tokens).map((spec) => ({ module: 'platform', spec })),
    ...api.app.modules.flatMap((m) => m.routes.map((spec) => ({ module: m.definition.name, spec }))),
  ];
}

const label = ({ spec }: Mounted) => `${spec.method.toUpperCase()} ${spec.path}`;

/** Which collection a path parameter names: the path segment before it. */
const collectionOf = (path: string, param: string) => {
  const segments = path.split('/');
  return segments[segments.indexOf(`:${param}`) - 1]!;
};

/** Ids of objects a publisher owns, by collection. */
const OWNED: Record<string, (p: SeededPublisher) => string> = {
  publishers: (p) => p.publisherId,
  'billing-accounts': (p) => p.publisherId,
  apps: (p) => p.appId,
  invoices: (p) => p.invoiceId,
};

function pathFor(route: Mounted, seeded: Seeded, owner: SeededPublisher, unowned: Record<string, string>): string {
  return route.spec.path.replace(/:(\w+)/g, (_, param: string) => {
    const collection = collectionOf(route.spec.path, param);
    const id = OWNED[collection]?.(owner) ?? unowned[collection];
    if (!id) throw new Error(`${label(route)}: no seeded id for "${collection}"; teach test/hardening/authorization.test.ts`);
    return id;
  });
}

/** A query that satisfies the route's required parameters (earnings needs from and to). */
function sampleQuery(spec: RouteSpec): string {
  const schema = spec.query as
    { properties?: Record<string, { format?: string; type?: string; minimum?: number }>; required?: string[] } | undefined;
  const pairs = (schema?.required ?? []).map((name) => {
    const property = schema!.properties![name]!;
    const value =
      property.format === 'day'
        ? '2026-03-01'
        : property.format === 'month'
          ? '2026-03'
          : property.type === 'integer'
            ? String(property.minimum ?? 1)
            : 'x';
    return `${name}=${value}`;
  });
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

/** Writes get `{}`: it breaks every body schema, so an authorized caller gets a 422 and nothing changes. */
const bodyFor = (spec: RouteSpec) => (spec.body ? {} : undefined);

async function bootSeeded(t: ExecutionContext, dialect: (typeof dialects)[number]) {
  const api = await boot(t, dialect, { modules, env: { SEAMS_SERVICE_TOKEN: SERVICE_TOKEN } });
  const seeded = await seed(api);
  return { api, seeded };
}

for (const dialect of dialects) {
  test(`[${dialect}] every mounted route × every role: 401 with no, a bad or a revoked token; 403 for roles it does not list; admin, bootstrap and listed roles get through`, async (t) => {
    const { api, seeded } = await bootSeeded(t, dialect);
    const [own] = seeded.publishers;
    const revoked = await api.token('admin');
    const revokedId = revoked.split('.')[0]!;
    t.is((await send(api.url, 'DELETE', `/v1/tokens/${revokedId}`, { token: seeded.tokens.admin })).status, 204);
    const throwaway = (await api.token('ops')).split('.')[0]!;

    const routes = mountedRoutes(api);
    t.true(routes.length >= 20, `found ${routes.length} routes`);
    const callers: Record<string, string | null> = {
      admin: seeded.tokens.admin,
      bootstrap: seeded.tokens.bootstrap,
      ops: seeded.tokens.ops,
      finance: seeded.tokens.finance,
      publisher: own.token,
      none: null,
      bad: 'tok_00000000000000000000000000.not-a-real-secret',
      revoked,
    };
    let checked = 0;
    for (const route of routes) {
      const { spec } = route;
      const path = pathFor(route, seeded, own, { 'invoice-runs': seeded.runId, tokens: throwaway }) + sampleQuery(spec);
      for (const [who, token] of Object.entries(callers)) {
        const unauthenticated = token === null || who === 'bad' || who === 'revoked';
        const res = await send(api.url, spec.method.toUpperCase(), path, {
          token,
          body: bodyFor(spec),
          ...(unauthenticated && { from: freshClient() }),
        });
        const where = `${label(route)} as ${who}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`;
        checked++;
        t.true(res.status < 500, where);
        if (unauthenticated) {
          t.is(res.status, 401, where);
          t.is(res.wwwAuthenticate, 'Bearer', where);
          t.regex(res.type, /^application\/problem\+json/, where);
          continue;
        }
        const allowed = who === 'admin' || who === 'bootstrap' || (spec.roles as string[]).includes(who);
        if (!allowed) {
          t.is(res.status, 403, where);
          t.like(res.body, { status: 403, code: 'AUTH.ROLE_FORBIDDEN' }, where);
          continue;
        }
        t.false(res.status === 401 || res.status === 403, where);
        if (spec.method === 'get') t.is(res.status, 200, where);
        else if (spec.body) t.is(res.status, 422, `${where} (the empty body is refused after authorization)`);
      }
    }
    t.log(`${routes.length} routes × ${Object.keys(callers).length} callers = ${checked} requests`);
  });

  test(`[${dialect}] every route with an id: a publisher token aimed at another publisher's objects gets 404 exactly as for an unknown id (403 where publishers may not use the route); its own drafts are hidden and lists show only its own`, async (t) => {
    const { api, seeded } = await bootSeeded(t, dialect);
    const [mine, theirs] = seeded.publishers;
    const unknown: SeededPublisher = {
      ...theirs,
      publisherId: 'pub_00000000000000000000000000',
      appId: 'app_00000000000000000000000000',
      invoiceId: 'inv_00000000000000000000000000',
    };
    const unowned = { 'invoice-runs': seeded.runId, tokens: 'tok_00000000000000000000000000' };
    const withIds = mountedRoutes(api).filter((r) => r.spec.params);
    t.true(withIds.length >= 10, `found ${withIds.length} routes with an id`);
    for (const route of withIds) {
      const { spec } = route;
      const request = (owner: SeededPublisher) =>
        send(api.url, spec.method.toUpperCase(), pathFor(route, seeded, owner, unowned) + sampleQuery(spec), {
          token: mine.token,
          body: bodyFor(spec),
        });
      const [other, missing] = [await request(theirs), await request(unknown)];
      const where = `${label(route)} at another publisher's object: ${other.status} ${JSON.stringify(other.body).slice(0, 160)}`;
      if (!(spec.roles as string[]).includes('publisher')) {
        t.is(other.status, 403, where);
        continue;
      }
      t.is(other.status, 404, where);
      t.regex(other.type, /^application\/problem\+json/, where);
      t.is(other.body.code, missing.body.code, `${where}: the same answer as an id that does not exist`);
      t.is(missing.status, 404, `${label(route)} at an unknown id`);
      // The positive control: the same route at its own object answers.
      const own = await request(mine);
      t.is(own.status, 200, `${label(route)} at its own object: ${own.status}`);
    }

    for (const path of [`/v1/invoices/${mine.draftInvoiceId}`, `/v1/invoices/${mine.draftInvoiceId}/pdf`]) {
      t.is((await send(api.url, 'GET', path, { token: mine.token })).status, 404, `${path}: its own draft is not shown`);
    }
    // List routes a publisher may use never carry another publisher's objects, whatever the filter asks.
    const listed = await send(api.url, 'GET', `/v1/invoices?publisherId=${theirs.publisherId}`, { token: mine.token });
    t.is(listed.status, 200);
    t.deepEqual(listed.body.data, []);
    const all = await send(api.url, 'GET', '/v1/invoices', { token: mine.token });
    t.deepEqual(
      all.body.data.map((i: { id: string }) => i.id),
      [mine.invoiceId],
    );
  });
}

test('[sqlite] internal routes (/internal/<module>/<method>, /internal/<module>/events) refuse every non-service token: 401 without one, 403 for any user token, admin and bootstrap included', async (t) => {
  const { api, seeded } = await bootSeeded(t, 'sqlite');
  const internal = api.app.modules.flatMap((m) => [
    ...Object.keys(m.definition.provides?.methods ?? {}).map((method) => `/internal/${m.definition.name}/${method}`),
    `/internal/${m.definition.name}/events`,
  ]);
  t.true(
    internal.some((p) => p.startsWith('/internal/operations/')) && internal.some((p) => p.startsWith('/internal/billing/')),
    internal.join(', '),
  );
  const userTokens: Record<string, string> = {
    ...seeded.tokens,
    publisher: seeded.publishers[0].token,
    garbage: 'tok_00000000000000000000000000.not-a-real-secret',
  };
  for (const path of internal) {
    // Wrong service tokens count per address, as wrong API tokens do: each path is probed from its own.
    const from = freshClient();
    const none = await send(api.url, 'POST', path, { token: null, body: {}, from });
    t.is(none.status, 401, `${path} without a token`);
    t.is(none.wwwAuthenticate, 'Bearer', path);
    for (const [who, token] of Object.entries(userTokens)) {
      const res = await send(api.url, 'POST', path, { token, body: {}, from });
      t.is(res.status, 403, `${path} with the ${who} token: ${res.status}`);
      t.is(res.body.code, 'AUTH.SERVICE_ONLY', path);
    }
    // The positive control: the service token gets past the door (its `{}` is then refused as input).
    const service = await send(api.url, 'POST', path, { token: SERVICE_TOKEN, body: {}, from });
    t.false([401, 403].includes(service.status), `${path} with the service token: ${service.status}`);
    t.true(service.status < 500, `${path} with the service token: ${service.status} ${JSON.stringify(service.body)}`);
  }
  t.log(`${internal.length} internal routes: ${internal.join(', ')}`);
});
