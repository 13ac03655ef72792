/**
 * The OpenAPI 3.1 document, generated from the declared routes: their schemas
 * are JSON Schema already (TypeBox), so they are embedded as they are.
 */
import { ROLES, type RouteSpec, type TSchema } from '../../kernel/index.ts';

interface Mounted {
  module: string;
  routes: RouteSpec[];
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON or wrong content type',
  401: 'No token, or a bad or revoked one',
  403: 'The role may not use this route',
  404: 'Unknown id, or one that belongs to another publisher',
  409: 'State conflict: illegal transition, duplicate, closed period, request in flight',
  412: 'If-Match names a stale version',
  413: 'Body larger than this route accepts',
  422: 'Valid JSON (or query) that breaks a rule; errors[] names each problem',
};

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
  const statuses = new Set([401, ...(route.errors ?? [])]);
  if (route.roles.length < ROLES.length - 1) statuses.add(403);
  if (route.params) statuses.add(404);
  if (route.body) [400, 413, 422].forEach((s) => statuses.add(s));
  statuses.add(422); // every route validates its query: even one that takes none refuses unknown parameters
  if (route.method === 'post') [409, 422].forEach((s) => statuses.add(s)); // Idempotency-Key reuse / in flight
  return [...statuses].sort();
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
    operationId: `${route.method}${route.path.replace(/:(\w+)/g, 'By$1').replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    description: `Roles: ${roles.join(', ')}${route.roles.includes('publisher') ? ' (a publisher sees only its own)' : ''}.`,
    tags: [module],
    'x-roles': roles,
    parameters: [
      ...parameters('path', route.params),
      ...parameters('query', route.query),
      ...(route.method === 'post' ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }] : []),
      ...(route.errors?.includes(412) ? [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } }] : []),
    ],
    ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: plain(route.body) } } } }),
    responses,
  };
}

export function openApiDocument(mounted: Mounted[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {
    '/health': { get: { summary: 'The process is up', tags: ['system'], security: [], responses: { 200: { description: 'Up' } } } },
    '/ready': {
      get: {
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
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Problem } },
    paths,
  };
}
