/** RFC 9457 problem responses: one mapping from errors to `application/problem+json`. */
import type Koa from 'koa';
import { DomainError, type ErrorKind, type FieldError, type Logger } from '../../kernel/index.ts';
import { RemoteCallError } from '../remote/client.ts';

const STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  validation: 422,
  too_many_requests: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  415: 'Unsupported Media Type',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
  /** How many problems there were, when `errors` lists only the first of them. */
  errorCount?: number;
}

export function problem(status: number, code: string, detail: string, errors?: FieldError[], errorCount?: number): Problem {
  return {
    type: `urn:seams:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length > 0 && { errors }),
    ...(errorCount !== undefined && { errorCount }),
  };
}

/** Koa's own errors (router 405/501, ctx.throw) carry a status and a safe message when `expose` is set. */
interface HttpLikeError {
  status?: number;
  expose?: boolean;
  message?: string;
}

export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) return problem(STATUS[error.kind], error.code, error.message, error.errors, error.errorCount);
  if (error instanceof RemoteCallError) {
    return problem(
      503,
      'MODULE_UNAVAILABLE',
      'A module this request needs runs in another process, which did not answer; try again shortly',
    );
  }
  const http = error as HttpLikeError;
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) {
    return problem(http.status, `HTTP_${http.status}`, http.expose && http.message ? http.message : (TITLES[http.status] ?? 'Error'));
  }
  return problem(500, 'INTERNAL', 'An unexpected error occurred. Quote the request id when reporting it.');
}

export function sendProblem(ctx: Koa.Context, body: Problem): void {
  ctx.status = body.status;
  ctx.type = 'application/problem+json';
  ctx.body = { ...body, instance: ctx.path };
  if (body.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
}

/** First in the chain: whatever goes wrong below becomes a problem response, never a stack trace. */
export function errorHandler(onUnexpected: (error: unknown, ctx: Koa.Context) => void) {
  return async (ctx: Koa.Context, next: Koa.Next) => {
    try {
      await next();
      // The router answers unknown routes and methods with a bare status (405 keeps its Allow header).
      if (ctx.body === undefined && ctx.status >= 400) sendProblem(ctx, bareStatusProblem(ctx));
    } catch (error) {
      const body = toProblem(error);
      if (body.status >= 500) onUnexpected(error, ctx);
      sendProblem(ctx, body);
      const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
    }
  };
}

function bareStatusProblem(ctx: Koa.Context): Problem {
  switch (ctx.status) {
    case 404:
      return problem(404, 'ROUTE_NOT_FOUND', `No route ${ctx.method} ${ctx.path}`);
    case 405:
      return problem(405, 'METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here; allowed: ${ctx.response.get('Allow')}`);
    default:
      return problem(ctx.status, `HTTP_${ctx.status}`, TITLES[ctx.status] ?? 'Error');
  }
}

export function logUnexpected(log: Logger) {
  return (error: unknown, ctx: Koa.Context) => {
    log.error({ err: error, requestId: ctx.state.requestId, route: ctx._matchedRoute ?? ctx.path }, 'unexpected error');
  };
}
