/**
 * Mounts declared routes on Koa: authenticate, authorize the role, validate
 * params, query and body, apply Idempotency-Key on POST, then call the handler.
 */
import type Router from '@koa/router';
import type Koa from 'koa';
import {
  DomainError,
  Strict,
  invalid,
  validator,
  type Caller,
  type Logger,
  type Reply,
  type RouteSpec,
  type TSchema,
  type Validator,
} from '../../kernel/index.ts';
import type { FailedAuthLimiter } from '../auth/failedAuthLimiter.ts';
import { presentedTokenId, type TokenService } from '../auth/tokens.ts';
import type { Idempotency } from '../idempotency.ts';
import { currentRoute } from '../metrics.ts';
import { DEFAULT_BODY_LIMIT, readJson } from './body.ts';

/** Every API route's path starts with it: the HTTP stack sends only these paths to the API's router. */
export const API_PREFIX = '/v1/';

const NO_QUERY = Strict({});
/** With the `u` flag a surrogate pair is one code point outside this range: only a lone half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export interface RouteDeps {
  tokens: TokenService;
  limiter: FailedAuthLimiter;
  idempotency: Idempotency;
  log: Logger;
}

const forbidden = (caller: Caller) => new DomainError('AUTH.ROLE_FORBIDDEN', 'forbidden', `The ${caller.role} role may not use this route`);

function requireStrict(spec: RouteSpec, part: string, schema: TSchema | undefined) {
  if (schema && (schema as { additionalProperties?: unknown }).additionalProperties !== false) {
    throw new Error(`${spec.method.toUpperCase()} ${spec.path}: the ${part} schema must refuse unknown fields (use Strict)`);
  }
}

export function mountRoutes(router: Router, specs: RouteSpec[], module: string, deps: RouteDeps): void {
  for (const spec of specs) {
    if (!spec.path.startsWith(API_PREFIX)) throw new Error(`${spec.method.toUpperCase()} ${spec.path}: API paths start with ${API_PREFIX}`);
    requireStrict(spec, 'body', spec.body);
    requireStrict(spec, 'query', spec.query);
    const params = spec.params ? validator(spec.params, { coerce: true }) : null;
    const query = validator(spec.query ?? NO_QUERY, { coerce: true });
    const body = spec.body && spec.bodyCheck !== 'handler' ? validator(spec.body) : null;
    const limit = spec.bodyLimit ?? DEFAULT_BODY_LIMIT;

    router[spec.method](spec.path, async (ctx: Koa.Context) => {
      ctx.state.module = module;
      const served = currentRoute.getStore();
      if (served) served.route = `${spec.method.toUpperCase()} ${spec.path}`;
      // Whatever this answers depends on the caller: no shared cache may keep it, problems included.
      ctx.set('Cache-Control', 'no-store');
      ctx.vary('Authorization');
      const authorization = ctx.get('authorization') || undefined;
      const tokenId = presentedTokenId(authorization);
      const authenticate = () => deps.tokens.authenticate(authorization);
      const caller = tokenId === null ? await authenticate() : await deps.limiter.guard(ctx.ip, tokenId, authenticate);
      if (caller.role !== 'admin' && !(spec.roles as string[]).includes(caller.role)) throw forbidden(caller);
      let requestLog: Logger | undefined;
      const request = {
        params: params ? parseParams(params, ctx.params) : {},
        query: refuseUnstorable(query({ ...ctx.query }, '/query'), '/query'),
        body: body ? refuseUnstorable(body(await readJson(ctx, limit), ''), '') : spec.body ? await readJson(ctx, limit) : undefined,
        caller,
        requestId: ctx.state.requestId as string,
        header: (name: string) => ctx.get(name) || undefined,
        // A child logger costs an object and a serialisation per request: made only when a handler logs.
        get log(): Logger {
          return (requestLog ??= deps.log.child({ requestId: ctx.state.requestId, module }));
        },
      };
      const key = ctx.get('idempotency-key');
      const reply =
        spec.method === 'post' && key
          ? await deps.idempotency.run({ caller: caller.tokenId, key, method: ctx.method, path: ctx.path, body: request.body }, () =>
              spec.handler(request),
            )
          : await spec.handler(request);
      send(ctx, reply);
    });
  }
}

/** A malformed id in the path names nothing that exists: 404, like an unknown one. */
function parseParams<T>(params: Validator<T>, raw: Record<string, string>): T {
  const value = { ...raw };
  if (params.check(value).length > 0 || unstorableAt(value, '') !== null)
    throw new DomainError('RESOURCE_NOT_FOUND', 'not_found', 'No such resource');
  return value as T;
}

/**
 * Where a string in the input cannot be stored as sent, and why, or null: PostgreSQL text cannot
 * hold U+0000 (a 500 there, stored on SQLite), and both databases store a lone surrogate as U+FFFD
 * (another string than the one a 201 echoes). Fields under the text rule say so first, in their schema;
 * this covers every other string (e-mail addresses, ids, bundle ids, query values).
 */
function unstorableAt(value: unknown, path: string): { path: string; message: string } | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path, message: 'must not contain U+0000' };
    return LONE_SURROGATE.test(value) ? { path, message: 'must be well-formed Unicode (no lone surrogates)' } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const found = unstorableAt(item, `${path}/${key}`);
    if (found !== null) return found;
  }
  return null;
}

/** Refused alike on every database, rather than a 500 on PostgreSQL only or a silent change. */
function refuseUnstorable<T>(value: T, at: string): T {
  const found = unstorableAt(value, at);
  if (found !== null) throw invalid('VALIDATION_FAILED', `${found.path} ${found.message}`, [found]);
  return value;
}

function send(ctx: Koa.Context, reply: Reply & { replayed?: boolean }): void {
  ctx.status = reply.status ?? 200;
  for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
  if (reply.replayed) ctx.set('Idempotent-Replayed', 'true');
  if (reply.body === undefined) return;
  if (reply.type) ctx.type = reply.type;
  ctx.body = reply.body;
}
