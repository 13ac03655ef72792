/**
 * Mounts declared routes on Koa: authenticate, authorize the role, validate
 * params, query and body, apply Idempotency-Key on POST, then call the handler.
 */
import type Router from '@koa/router';
import type Koa from 'koa';
import { DomainError, Strict, invalid, validator, type Caller, type Logger, type Reply, type RouteSpec, type TSchema, type Validator } from '../../kernel/index.ts';
import type { FailedAuthLimiter } from '../auth/failedAuthLimiter.ts';
import { presentedTokenId, type TokenService } from '../auth/tokens.ts';
import type { Idempotency } from '../idempotency.ts';
import { currentRoute } from '../metrics.ts';
import { DEFAULT_BODY_LIMIT, readJson } from './body.ts';

const NO_QUERY = Strict({});

export interface RouteDeps {
  tokens: TokenService;
  limiter: FailedAuthLimiter;
  idempotency: Idempotency;
  log: Logger;
}

const forbidden = (caller: Caller) =>
  new DomainError('AUTH.ROLE_FORBIDDEN', 'forbidden', `The ${caller.role} role may not use this route`);

function requireStrict(spec: RouteSpec, part: string, schema: TSchema | undefined) {
  if (schema && (schema as { additionalProperties?: unknown }).additionalProperties !== false) {
    throw new Error(`${spec.method.toUpperCase()} ${spec.path}: the ${part} schema must refuse unknown fields (use Strict)`);
  }
}

export function mountRoutes(router: Router, specs: RouteSpec[], module: string, deps: RouteDeps): void {
  for (const spec of specs) {
    requireStrict(spec, 'body', spec.body);
    requireStrict(spec, 'query', spec.query);
    const params = spec.params ? validator(spec.params, { coerce: true }) : null;
    const query = validator(spec.query ?? NO_QUERY, { coerce: true });
    const body = spec.body ? validator(spec.body) : null;
    const limit = spec.bodyLimit ?? DEFAULT_BODY_LIMIT;

    router[spec.method](spec.path, async (ctx: Koa.Context) => {
      ctx.state.module = module;
      const served = currentRoute.getStore();
      if (served) served.route = `${spec.method.toUpperCase()} ${spec.path}`;
      const authorization = ctx.get('authorization') || undefined;
      const tokenId = presentedTokenId(authorization);
      const authenticate = () => deps.tokens.authenticate(authorization);
      const caller = tokenId === null ? await authenticate() : await deps.limiter.guard(ctx.ip, tokenId, authenticate);
      if (caller.role !== 'admin' && !(spec.roles as string[]).includes(caller.role)) throw forbidden(caller);
      let requestLog: Logger | undefined;
      const request = {
        params: params ? parseParams(params, ctx.params) : {},
        query: refuseNul(query({ ...ctx.query }, '/query'), '/query'),
        body: body ? refuseNul(body(await readJson(ctx, limit), ''), '') : undefined,
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
          ? await deps.idempotency.run(
              { caller: caller.tokenId, key, method: ctx.method, path: ctx.path, body: request.body },
              () => spec.handler(request),
            )
          : await spec.handler(request);
      send(ctx, reply);
    });
  }
}

/** A malformed id in the path names nothing that exists: 404, like an unknown one. */
function parseParams<T>(params: Validator<T>, raw: Record<string, string>): T {
  const value = { ...raw };
  if (params.check(value).length > 0 || nulAt(value, '') !== null) throw new DomainError('RESOURCE_NOT_FOUND', 'not_found', 'No such resource');
  return value as T;
}

/** Where a string in the input holds U+0000 (PostgreSQL text cannot store it), or null. */
function nulAt(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const found = nulAt(item, `${path}/${key}`);
    if (found !== null) return found;
  }
  return null;
}

/** Refused alike on every database, rather than a 500 on PostgreSQL only. */
function refuseNul<T>(value: T, at: string): T {
  const path = nulAt(value, at);
  if (path !== null) throw invalid('VALIDATION_FAILED', `${path} must not contain U+0000`, [{ path, message: 'must not contain U+0000' }]);
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
