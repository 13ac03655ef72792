/** A request id on every request and response, and one structured log line per request. */
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { Logger } from '../../kernel/index.ts';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(log: Logger) {
  return async (ctx: Koa.Context, next: Koa.Next) => {
    const given = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(given) ? given : randomUUID();
    const started = process.hrtime.bigint();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
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
