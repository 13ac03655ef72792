/** `/health` (the process is up) and `/ready` (databases reachable, migrations current, not shutting down). */
import Router from '@koa/router';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
  events?: Record<string, { pending: number; inFlight: number; dead: number }>;
}

export function systemRoutes(readiness: () => Promise<ReadinessReport>): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    const report = await readiness();
    ctx.status = report.ready ? 200 : 503;
    ctx.body = { status: report.ready ? 'ready' : 'not ready', ...report, ready: undefined };
  });
  return router;
}
