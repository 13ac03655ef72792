/**
 * Slows down token guessing: a client (by address) that fails authentication
 * `limit` times within a window gets 429 with Retry-After until the window
 * ends. Counted per process: behind a load balancer the limit applies per instance.
 */
import { DomainError, type Clock } from '../../kernel/index.ts';

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('AUTH.TOO_MANY_FAILURES', 'too_many_requests', `Too many failed authentications; retry in ${retryAfterSeconds} s`);
  }
}

export function makeFailedAuthLimiter({ clock, limit = 20, windowMs = 60_000 }: { clock: Clock; limit?: number; windowMs?: number }) {
  const failures = new Map<string, { count: number; since: number }>();

  function current(client: string, now: number) {
    const entry = failures.get(client);
    if (entry && now - entry.since >= windowMs) {
      failures.delete(client);
      return undefined;
    }
    return entry;
  }

  return {
    /** Throws 429 while the client is over its limit. */
    check(client: string): void {
      const now = clock.now().getTime();
      const entry = current(client, now);
      if (entry && entry.count >= limit) throw new RateLimitedError(Math.ceil((entry.since + windowMs - now) / 1000));
    },
    fail(client: string): void {
      const now = clock.now().getTime();
      if (failures.size > 100_000) for (const key of failures.keys()) if (!current(key, now)) failures.delete(key);
      const entry = current(client, now);
      if (entry) entry.count++;
      else failures.set(client, { count: 1, since: now });
    },
  };
}

export type FailedAuthLimiter = ReturnType<typeof makeFailedAuthLimiter>;
