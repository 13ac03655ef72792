/**
 * `/health` (the process is up), `/ready` (databases reachable, migrations
 * current, not shutting down) and `/metrics` (Prometheus; SEAMS_METRICS_TOKEN protects it when set).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { DomainError } from '../../kernel/index.ts';
import type { FailedAuthLimiter } from '../auth/failedAuthLimiter.ts';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
  events?: Record<string, { pending: number; inFlight: number; dead: number }>;
  /** With SEAMS_BROKER_URL: `connected` or `disconnected`. */
  broker?: string;
}

export function systemRoutes(
  readiness: () => Promise<ReadinessReport>,
  metrics: { text(): Promise<string> },
  metricsToken: string | null,
  limiter: FailedAuthLimiter,
): Router {
  const router = new Router();
  const expected = metricsToken === null ? null : createHash('sha256').update(`Bearer ${metricsToken}`).digest();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    const report = await readiness();
    ctx.status = report.ready ? 200 : 503;
    ctx.body = { status: report.ready ? 'ready' : 'not ready', ...report, ready: undefined };
  });
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (expected !== null) {
      // Wrong metrics tokens count against the address like wrong API tokens.
      await limiter.guard(ctx.ip, 'metrics', async () => {
        if (!timingSafeEqual(createHash('sha256').update(ctx.get('authorization')).digest(), expected)) {
          throw new DomainError('AUTH.METRICS_TOKEN_REQUIRED', 'unauthorized', 'Send SEAMS_METRICS_TOKEN as a Bearer token');
        }
      });
    }
    ctx.type = 'text/plain; version=0.0.4; charset=utf-8';
    ctx.body = await metrics.text();
  });
  return router;
}
