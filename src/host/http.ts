/** The HTTP stack, outermost first: each `use` says why it sits where it does. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config.ts';
import { DomainError, facadeName, type Logger } from '../kernel/index.ts';
import { makeAlerter } from '../platform/alerts.ts';
import { makeFailedAuthLimiter } from '../platform/auth/failedAuthLimiter.ts';
import type { TokenReplication } from '../platform/auth/tokenReplication.ts';
import { tokenRoutes } from '../platform/auth/tokenRoutes.ts';
import type { TokenService } from '../platform/auth/tokens.ts';
import type { Composition } from '../platform/container.ts';
import { compression } from '../platform/http/compression.ts';
import { docsRoutes } from '../platform/http/docs.ts';
import { openApiDocument } from '../platform/http/openapi.ts';
import { securityHeaders } from '../platform/http/securityHeaders.ts';
import { errorHandler, logUnexpected } from '../platform/http/problem.ts';
import { requestContext } from '../platform/http/requestContext.ts';
import { API_PREFIX, mountRoutes } from '../platform/http/routes.ts';
import { systemRoutes, type ReadinessReport } from '../platform/http/systemRoutes.ts';
import type { Idempotency } from '../platform/idempotency.ts';
import type { Metrics } from '../platform/metrics.ts';
import { internalRoutes } from '../platform/remote/internalRoutes.ts';
import type { LocalHandlers } from './events.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const VERSION = (JSON.parse(fs.readFileSync(path.join(here, '../../package.json'), 'utf8')) as { version: string }).version;

interface HttpDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  readiness: () => Promise<ReadinessReport>;
  tokens: TokenService;
  idempotency: Idempotency;
  composition: Composition;
  handlers: LocalHandlers;
  replication: TokenReplication;
}

export function httpStack({ config, log, metrics, readiness, tokens, idempotency, composition, handlers, replication }: HttpDeps) {
  const koa = new Koa();
  // Behind SEAMS_TRUST_PROXY balancers the client is the entry that many hops back in X-Forwarded-For.
  koa.proxy = config.trustProxy > 0;
  koa.maxIpsCount = config.trustProxy;
  const limiter = makeFailedAuthLimiter();
  // Outermost: the request id and the log line see the final status, problems included.
  koa.use(requestContext(log, metrics));
  // Large answers (the docs bundle, long JSON lists) go out compressed when the client accepts it.
  koa.use(compression());
  // Everything below that throws becomes an RFC 9457 problem, never a stack trace.
  const alerter = config.smtpUrl && config.alertEmail ? makeAlerter({ smtpUrl: config.smtpUrl, to: config.alertEmail, log }) : null;
  const logged = logUnexpected(log);
  koa.use(
    errorHandler((error, ctx) => {
      logged(error, ctx);
      alerter?.report({ requestId: ctx.state.requestId, route: `${ctx.method} ${ctx._matchedRoute ?? ctx.path}`, error });
    }),
  );
  // Security headers on every response (helmet's defaults, worked out once).
  koa.use(securityHeaders());
  // System routes and the API documentation need no token.
  const system = systemRoutes(readiness, metrics, config.metricsToken, limiter);
  const mounted = [
    { module: 'platform', routes: tokenRoutes(tokens) },
    ...composition.modules.map((m) => ({ module: m.definition.name, routes: m.routes })),
  ];
  const docs = docsRoutes(openApiDocument(mounted, VERSION));
  // Between processes: local facades and inboxes for remote callers, service token only.
  const internal = internalRoutes({
    serviceToken: config.serviceToken,
    limiter,
    facades: new Map(
      composition.modules
        .filter((m) => m.definition.provides)
        .map((m) => [m.definition.name, composition.root.resolve(facadeName(m.definition.provides!))]),
    ),
    deliverLocal: async (subscriber, event) => {
      const handler = handlers.get(subscriber);
      if (!handler) throw new DomainError('EVENTS.NO_HANDLER', 'not_found', `No handler ${subscriber} in this process`);
      await handler(event);
    },
    tokens: replication,
  });
  // The API: tokens, then each module's routes, each authenticated and validated per route.
  const api = new Router();
  const routeDeps = { tokens, idempotency, log, limiter };
  for (const { module, routes } of mounted) mountRoutes(api, routes, module, routeDeps);
  // A request is matched against the one router its path names, not against each in turn.
  koa.use(
    byPathPrefix(
      [
        [API_PREFIX, served(api)],
        ['/internal/', served(internal)],
      ],
      served(system, docs),
    ),
  );
  return { koa, alerter };
}

/** These routers' routes, each followed by its 405 and 501 answers, as one middleware. */
function served(...routers: Router[]): Koa.Middleware {
  return routers
    .map((router): Koa.Middleware => {
      const [routes, methods] = [router.routes() as Koa.Middleware, router.allowedMethods() as Koa.Middleware];
      return (ctx, next) => routes(ctx, () => methods(ctx, next));
    })
    .reduceRight((inner, outer) => (ctx, next) => outer(ctx, () => inner(ctx, next)));
}

/** The middleware of the first prefix the request's path starts with, else `otherwise`. */
function byPathPrefix(prefixes: [string, Koa.Middleware][], otherwise: Koa.Middleware): Koa.Middleware {
  return (ctx, next) => {
    for (const [prefix, middleware] of prefixes) if (ctx.path.startsWith(prefix)) return middleware(ctx, next);
    return otherwise(ctx, next);
  };
}
