/**
 * The server side of remote modules: `POST /internal/<module>/<method>` calls a
 * local facade, `POST /internal/<module>/events` hands an event to a local
 * handler through its inbox; `/internal/platform/tokens` takes a peer's token
 * change (POST) and gives this process's token replica (GET). Only
 * SEAMS_SERVICE_TOKEN opens them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { DomainError, Strict, Type, validator, type EventEnvelope } from '../../kernel/index.ts';
import type { FailedAuthLimiter } from '../auth/failedAuthLimiter.ts';
import { readJson } from '../http/body.ts';
import { toProblem } from '../http/problem.ts';
import { currentRoute } from '../metrics.ts';
import { EventEnvelopeShape } from './eventChecks.ts';

const INTERNAL_BODY_LIMIT = 4 * 1024 * 1024;

const EventDelivery = Strict({ subscriber: Type.String({ maxLength: 120 }), event: EventEnvelopeShape });
const checkDelivery = validator(EventDelivery);

type FacadeMethod = (input: unknown) => Promise<unknown>;

export interface InternalDeps {
  serviceToken: string | null;
  /** Local facades by module name. */
  facades: Map<string, Record<string, FacadeMethod>>;
  /** Local event handlers by subscriber key (`<module>.<handler>`); each checks the event against its contract. */
  deliverLocal(subscriber: string, event: EventEnvelope): Promise<void>;
  /** Counts wrong service tokens per address, as the API counts wrong tokens. */
  limiter: FailedAuthLimiter;
  /** This process's token replica (platform/auth/tokenReplication.ts). */
  tokens: { receive(body: unknown): Promise<void>; snapshot(): Promise<unknown> };
}

export function internalRoutes({ serviceToken, facades, deliverLocal, limiter, tokens }: InternalDeps): Router {
  const expected = serviceToken === null ? null : createHash('sha256').update(serviceToken).digest();
  // Only a facade's own methods, the contract's: never what every object inherits (constructor, toString, __proto__…).
  const methods = new Map([...facades].map(([module, facade]) => [module, new Map(Object.entries(facade))]));
  const router = new Router({ prefix: '/internal' });

  // Problems here also carry `kind`, so the caller rebuilds the very same DomainError.
  router.use(async (ctx: Koa.Context, next: Koa.Next) => {
    ctx.state.module = 'internal';
    ctx.set('Cache-Control', 'no-store');
    try {
      await authorize(ctx);
      await next();
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) throw error;
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = { ...problem, ...(error instanceof DomainError && { kind: error.kind }) };
      if (problem.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
    }
  });

  async function authorize(ctx: Koa.Context): Promise<void> {
    const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    if (!token) throw new DomainError('AUTH.SERVICE_TOKEN_REQUIRED', 'unauthorized', 'Internal routes need the service token');
    await limiter.guard(ctx.ip, 'service', async () => {
      const given = createHash('sha256').update(token).digest();
      if (expected === null || !timingSafeEqual(given, expected)) {
        throw new DomainError('AUTH.SERVICE_ONLY', 'forbidden', 'Internal routes are open to the service token only');
      }
    });
  }

  router.get('/platform/tokens', async (ctx) => {
    ctx.body = await tokens.snapshot();
  });

  router.post('/platform/tokens', async (ctx) => {
    await tokens.receive(await readJson(ctx, INTERNAL_BODY_LIMIT));
    ctx.status = 204;
  });

  router.post('/:module/events', async (ctx) => {
    const { subscriber, event } = checkDelivery(await readJson(ctx, INTERNAL_BODY_LIMIT));
    if (!subscriber.startsWith(`${ctx.params.module}.`))
      throw new DomainError('EVENTS.WRONG_MODULE', 'not_found', `${subscriber} is not a handler of ${ctx.params.module}`);
    await deliverLocal(subscriber, event as EventEnvelope);
    ctx.status = 204;
  });

  router.post('/:module/:method', async (ctx) => {
    const fn = methods.get(ctx.params.module!)?.get(ctx.params.method!);
    if (!fn)
      throw new DomainError(
        'FACADE.UNKNOWN_METHOD',
        'not_found',
        `No method ${ctx.params.module}.${ctx.params.method} in the contract served here`,
      );
    const served = currentRoute.getStore();
    if (served) served.route = `POST /internal/${ctx.params.module}/${ctx.params.method}`;
    ctx.body = await fn(await readJson(ctx, INTERNAL_BODY_LIMIT));
  });

  return router;
}
