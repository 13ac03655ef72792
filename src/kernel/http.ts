/**
 * How a module declares its HTTP routes: plain data with schemas, roles and a
 * handler that receives validated input and the caller. The host mounts them
 * on Koa, validates, authenticates and documents them (OpenAPI) from this.
 */
import type { Static, TSchema } from './schema.ts';
import { DomainError } from './errors.ts';
import type { Logger } from './logger.ts';

export const ROLES = ['admin', 'ops', 'finance', 'publisher'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** The token's id (`bootstrap` for SEAMS_BOOTSTRAP_TOKEN, `service` between processes). */
  tokenId: string;
  role: Role | 'service';
  /** Set for publisher tokens only. */
  publisherId: string | null;
}

export interface RouteRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  requestId: string;
  /** A request header, lower-case name. */
  header(name: string): string | undefined;
  log: Logger;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Content type when the body is not JSON, e.g. `application/pdf`. */
  type?: string;
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema> {
  method: Method;
  /** Koa-router path, e.g. `/v1/publishers/:id`. */
  path: string;
  summary: string;
  /** Roles allowed besides `admin`, which may do everything. */
  roles: Role[];
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Who checks the body against `body`: the host (default), or the handler itself, for a bulk upload
   * that reports its items' format, rule and reference problems in one answer. Either way it documents it.
   */
  bodyCheck?: 'host' | 'handler';
  /** Body limit in bytes for this route (default 1 MiB). */
  bodyLimit?: number;
  /** Documented responses: status → schema (null for no body, 'binary' for a file). */
  responses: Record<number, TSchema | 'binary' | null>;
  /**
   * Problem statuses the handler itself may answer (409, 412, …); those the host
   * adds (400/413/422 for bodies, 401, 403, 404 for ids) are documented for it.
   */
  errors?: number[];
  handler: (request: RouteRequest<Static<P>, Static<Q>, Static<B>>) => Promise<Reply>;
}

export function route<P extends TSchema, Q extends TSchema, B extends TSchema>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** A publisher token sees only its own publisher; anything else is "not found", so existence is not revealed. */
export function assertCanSee(caller: Caller, publisherId: string, notFoundError: () => DomainError): void {
  if (caller.role === 'publisher' && caller.publisherId !== publisherId) throw notFoundError();
}

export const etag = (version: number) => `"${version}"`;

/**
 * The version a PATCH expects from its If-Match header, or undefined when it sent none (or `*`:
 * any current version). If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
 */
export function expectedVersion(request: { header(name: string): string | undefined }): number | undefined {
  const value = request.header('if-match')?.trim();
  if (value === undefined || value === '*') return undefined;
  if (value.startsWith('W/')) {
    throw new DomainError(
      'IF_MATCH_WEAK',
      'precondition_failed',
      'If-Match compares strong ETags only: send the ETag as issued, e.g. "3", without W/',
    );
  }
  const match = /^"(\d{1,15})"$/.exec(value);
  if (!match) throw new DomainError('IF_MATCH_INVALID', 'precondition_failed', 'If-Match must be an ETag this API issued, e.g. "3"');
  return Number(match[1]);
}
