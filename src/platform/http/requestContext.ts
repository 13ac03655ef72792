/** A request id on every request and response, and one structured log line per request. */
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { Logger } from '../../kernel/index.ts';
import { currentRoute, type Metrics } from '../metrics.ts';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(log: Logger, metrics: Metrics) {
  return async (ctx: Koa.Context, next: Koa.Next) => {
    const given = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(given) ? given : randomUUID();
    const started = process.hrtime.bigint();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    // The route is filled in once matched; facade calls made while serving it are counted against it.
    const served = { route: 'unmatched', facadeCalls: 0 };
    try {
      await currentRoute.run(served, next);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = ctx._matchedRoute ? String(ctx._matchedRoute) : 'unmatched';
      metrics.observeRequest(
        { method: ctx.method, route, module: ctx.state.module ?? 'system', status: ctx.status },
        ms / 1000,
        served.facadeCalls,
      );
      const entry = {
        requestId,
        method: ctx.method,
        path: ctx.path,
        route: ctx._matchedRoute,
        module: ctx.state.module,
        status: ctx.status,
        ms: Math.round(ms * 10) / 10,
      };
      if (ctx.status >= 500) log.error(entry, 'request failed');
      else log.info(entry, 'request');
    }
  };
}
