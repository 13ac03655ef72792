/**
 * Slows down credential guessing without ever refusing a valid credential for
 * someone else's failures. Two counters per window:
 *
 * - per (address, presented token id), low: once a client has failed `perToken`
 *   times with one token id, that id is not even checked from that address until
 *   the window ends (429). Only the guessed token is held up there; every other
 *   caller behind the same address goes on.
 * - per address, high: past `perAddress` failures, a failing credential from that
 *   address is answered 429 instead of 401. The credential is checked first, so a
 *   valid one always gets through.
 *
 * The counters are rate-limiter-flexible limiters: memory today (per process), a
 * RateLimiterRedis or RateLimiterPostgres with the same options shares them
 * between instances later (`store`).
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../../kernel/index.ts';

export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('AUTH.TOO_MANY_FAILURES', 'too_many_requests', `Too many failed authentications; retry in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A genuine credential refused for a reason of its own (its publisher is suspended): 403, but no
 * guess, so it never counts as a failure (reactivation must not find the token held up here).
 */
export class RefusedCredential extends DomainError {
  constructor(code: string, message: string) {
    super(code, 'forbidden', message);
  }
}

/** The part of a rate-limiter-flexible limiter used here (every store implements it). */
export interface FailureCounter {
  get(key: string): Promise<RateLimiterRes | null>;
  consume(key: string): Promise<RateLimiterRes>;
  penalty(key: string): Promise<RateLimiterRes>;
  reward(key: string): Promise<RateLimiterRes>;
}

export interface CounterOptions {
  keyPrefix: string;
  /** Failures allowed in a window. */
  points: number;
  /** The window, in seconds. */
  duration: number;
}

export interface LimiterOptions {
  perToken?: number;
  perAddress?: number;
  windowSeconds?: number;
  store?: (options: CounterOptions) => FailureCounter;
}

export interface FailedAuthLimiter {
  /**
   * Runs `check` (which throws a 401/403 DomainError for a bad credential) for the credential that
   * names `tokenId`, presented from `address`; its failures count, its successes do not.
   */
  guard<T>(address: string, tokenId: string, check: () => Promise<T>): Promise<T>;
}

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
const isAuthFailure = (error: unknown) =>
  error instanceof DomainError && (error.kind === 'unauthorized' || error.kind === 'forbidden') && !(error instanceof RefusedCredential);

export function makeFailedAuthLimiter(options: LimiterOptions = {}): FailedAuthLimiter {
  const { perToken = 10, perAddress = 100, windowSeconds = 60 } = options;
  const store = options.store ?? ((o: CounterOptions) => new RateLimiterMemory(o));
  const tokens = store({ keyPrefix: 'auth-token', points: perToken, duration: windowSeconds });
  const addresses = store({ keyPrefix: 'auth-address', points: perAddress, duration: windowSeconds });

  return {
    async guard<T>(address: string, tokenId: string, check: () => Promise<T>): Promise<T> {
      const pair = `${address} ${tokenId}`;
      // A pair that never failed is checked at once, so a busy client's own concurrency never counts
      // against its valid token. Once it has failed, each check takes a point first and gives it back on
      // success: guesses sent at once cannot all be checked before their failures are counted.
      const failed = ((await tokens.get(pair).catch(() => null))?.consumedPoints ?? 0) > 0;
      let took = false;
      if (failed) {
        try {
          await tokens.consume(pair);
          took = true;
        } catch (refusal) {
          if (refusal instanceof RateLimiterRes) throw new RateLimitedError(retryAfter(refusal));
          // The store is unreachable: authentication goes on unlimited rather than locking everyone out.
        }
      }
      const giveBack = () => (took ? tokens.reward(pair).catch(() => undefined) : undefined);
      let result: T;
      try {
        result = await check();
      } catch (error) {
        if (!isAuthFailure(error)) {
          await giveBack();
          throw error;
        }
        if (!took) await tokens.penalty(pair).catch(() => undefined);
        const counted = await addresses.penalty(address).catch(() => null);
        if (counted && counted.consumedPoints > perAddress) throw new RateLimitedError(retryAfter(counted));
        throw error;
      }
      await giveBack();
      return result;
    },
  };
}
