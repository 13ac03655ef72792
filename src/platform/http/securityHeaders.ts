/**
 * Helmet's security headers, worked out once at start. Helmet recomputes the
 * same dozen headers (a Content-Security-Policy string among them) on every
 * response, which showed in the hot read's profile; its defaults do not depend
 * on the request, so the list it produces is recorded once and replayed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Middleware } from 'koa';

/** What helmet's defaults do to a response: headers set, headers removed (X-Powered-By). */
function helmetDefaults(): { set: [string, string][]; removed: string[] } {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | number) => void set.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
  };
  let done = false;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, () => (done = true));
  // Helmet's defaults are synchronous; a version that were not would leave the list incomplete.
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be worked out once');
  return { set, removed };
}

export function securityHeaders(): Middleware {
  const { set, removed } = helmetDefaults();
  return async (ctx, next) => {
    for (const [name, value] of set) ctx.res.setHeader(name, value);
    for (const name of removed) ctx.res.removeHeader(name);
    await next();
  };
}
