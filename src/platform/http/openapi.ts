/**
 * The OpenAPI 3.1 document, generated from the declared routes: their schemas
 * are JSON Schema already (TypeBox), so they are embedded as they are.
 */
import type { RouteSpec, TSchema } from '../../kernel/index.ts';

interface Mounted {
  module: string;
  routes: RouteSpec[];
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON, or a body that is not application/json',
  401: 'No token, or a bad or revoked one (WWW-Authenticate: Bearer)',
  403: "The role may not use this route (AUTH.ROLE_FORBIDDEN), or the token's publisher is suspended (PUBLISHER_SUSPENDED)",
  404: 'Unknown id, or one that belongs to another publisher',
  409: 'State conflict: illegal transition, duplicate, closed period, request in flight',
  412: 'If-Match names a stale version',
  413: 'Body larger than this route accepts',
  415: 'A charset other than UTF-8, or a Content-Encoding seams does not read',
  422: 'Valid JSON (or query) that breaks a rule; errors[] names each problem',
  429: 'Too many failed authentications from this client: wait Retry-After seconds',
  500: 'Unexpected error: quote the X-Request-Id header when reporting it',
  503: 'Temporarily unable to serve: retry later',
};

/**
 * Operation ids where the CRUD word derived from method and path would not
 * say what the operation does; the rest are derived (listInvoices, getInvoice).
 */
const OPERATION_IDS: Record<string, string> = {
  'post /v1/publishers': 'registerPublisher',
  'post /v1/publishers/:id/apps': 'addApp',
  'post /v1/apps/:id/ad-units': 'addAdUnit',
  'put /v1/delivery-reports': 'upsertDeliveryReports',
  'get /v1/publishers/:id/earnings': 'getPublisherEarnings',
  'get /v1/publishers/:id/dashboard': 'getPublisherDashboard',
  'post /v1/invoice-runs': 'startInvoiceRun',
  'patch /v1/invoices/:id': 'issueOrVoidInvoice',
  'post /v1/invoices/:id/payments': 'recordPayment',
  'get /v1/invoices/:id/pdf': 'getInvoicePdf',
  'delete /v1/tokens/:id': 'revokeToken',
};

const VERBS = { get: 'get', post: 'create', put: 'replace', patch: 'update', delete: 'delete' } as const;
const pascal = (segment: string) => segment.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
const singular = (segment: string) => segment.replace(/ies$/, 'y').replace(/s$/, '');

/** `listPublisherApps` for GET /v1/publishers/:id/apps, `getInvoice` for GET /v1/invoices/:id. */
export function operationId(route: Pick<RouteSpec, 'method' | 'path'>): string {
  const named = OPERATION_IDS[`${route.method} ${route.path}`];
  if (named) return named;
  const segments = route.path.split('/').filter((s) => s && s !== 'v1');
  const item = segments.at(-1)!.startsWith(':');
  const names = segments.filter((s) => !s.startsWith(':'));
  const resource = names.at(-1)!;
  const parents = names.slice(0, -1).map((s) => pascal(singular(s)));
  const verb = route.method === 'get' && !item ? 'list' : VERBS[route.method];
  return `${verb}${parents.join('')}${pascal(item || route.method === 'post' ? singular(resource) : resource)}`;
}

const Problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'stable error code, e.g. BILLING.ILLEGAL_TRANSITION' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

/** JSON Schema without TypeBox's symbol keys (JSON already drops them; this keeps the object plain). */
const plain = (schema: TSchema) => JSON.parse(JSON.stringify(schema));

function parameters(where: 'path' | 'query', schema: TSchema | undefined) {
  const properties = (schema?.properties ?? {}) as Record<string, TSchema>;
  const required = new Set<string>((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    // A parameter with a default (limit) may be left out: the server fills it in.
    required: where === 'path' || (required.has(name) && property.default === undefined),
    schema: plain(property),
    ...(property.description && { description: property.description }),
  }));
}

function problemStatuses(route: RouteSpec): number[] {
  // Every route: authentication (401, and 429 once a client keeps failing it), a role it does not admit or a suspended
  // publisher's token (403), the unexpected (500) and the unavailable (503).
  const statuses = new Set([401, 403, 429, 500, 503, ...(route.errors ?? [])]);
  if (route.params) statuses.add(404);
  if (route.body) [400, 413, 415, 422].forEach((s) => statuses.add(s));
  statuses.add(422); // every route validates its query: even one that takes none refuses unknown parameters
  if (route.method === 'post') [409, 422].forEach((s) => statuses.add(s)); // Idempotency-Key reuse / in flight
  return [...statuses].sort((a, b) => a - b);
}

function operation(module: string, route: RouteSpec) {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    responses[status] = {
      description: Number(status) < 300 ? 'Success' : 'Problem',
      ...(schema === 'binary' && { content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }),
      ...(schema && schema !== 'binary' && { content: { 'application/json': { schema: plain(schema) } } }),
    };
  }
  for (const status of problemStatuses(route)) {
    responses[status] = {
      description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  const roles = ['admin', ...route.roles];
  return {
    operationId: operationId(route),
    summary: route.summary,
    description: `Roles: ${roles.join(', ')}${route.roles.includes('publisher') ? ' (a publisher sees only its own)' : ''}.`,
    tags: [module],
    'x-roles': roles,
    parameters: [
      ...parameters('path', route.params),
      ...parameters('query', route.query),
      ...(route.method === 'post'
        ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
        : []),
      ...(route.errors?.includes(412) ? [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } }] : []),
    ],
    ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: plain(route.body) } } } }),
    responses,
  };
}

export function openApiDocument(mounted: Mounted[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {
    '/health': {
      get: {
        operationId: 'health',
        summary: 'The process is up',
        tags: ['system'],
        security: [],
        responses: { 200: { description: 'Up' } },
      },
    },
    '/ready': {
      get: {
        operationId: 'ready',
        summary: 'Databases reachable and migrated, not shutting down; event counts per module',
        tags: ['system'],
        security: [],
        responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } },
      },
    },
  };
  for (const { module, routes } of mounted) {
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      paths[path] = { ...paths[path], [route.method]: operation(module, route) };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'seams',
      version,
      description: 'Operations and Billing of an ad network for mobile games. Authenticate with `Authorization: Bearer <token>`.',
    },
    tags: [
      { name: 'platform', description: 'API tokens' },
      ...mounted.filter((m) => m.module !== 'platform').map((m) => ({ name: m.module })),
      { name: 'system', description: 'Health and readiness' },
    ],
    // Relative: the host (or ingress) that serves this document, so "try it" on /docs calls the same origin.
    servers: [{ url: '/', description: 'The server that serves this document' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Problem } },
    paths,
  };
}
