/**
 * The heartbeat of work held under a lease (claimed outbox rows, an invoice
 * run): while the work runs it renews the lease every third of its length, so
 * only a dead or stalled holder's lease lapses and another may take the work
 * over soon after. The work asks `held()` before each step it commits.
 */

/** Why the work may no longer go on: another holder took it over, or the lease could not be renewed in time. */
export type LeaseLapse = 'lost' | 'expired';

export interface LeaseHeartbeat {
  /** True while no one took the work over and the last renewal is recent enough to count on. */
  held(): boolean;
  /** Why `held()` is false; null while it is true. */
  lapse(): LeaseLapse | null;
  /**
   * The work renewed the lease itself, in a statement begun at `startedAt` (`performance.now()`) that
   * committed: a commit whose guard extends the lease counts as a renewal, however slow the heartbeat's own is.
   */
  renewed(startedAt: number): void;
  /** Stops renewing (after a renewal under way); call it when the work ends, whichever way. */
  stop(): Promise<void>;
}

export interface LeaseHeartbeatOptions {
  /** How long the lease lasts from each renewal. */
  leaseMs: number;
  /** Extends the lease by `leaseMs` from now; false when the work is no longer ours (nothing was renewed). */
  renew: () => Promise<boolean>;
  /** A renewal that threw (database busy or unreachable): the lease runs out unless a later one succeeds. */
  onRenewalError?: (error: unknown) => void;
}

/**
 * Starts renewing a lease that was granted just now. The holder counts on four fifths of each
 * lease only: the rest absorbs clock differences between instances and the time between the
 * grant and this call. A renewal that failed or hangs lets the lease run out (`expired`, until a
 * later renewal succeeds: each one checks the work is still ours); one that finds the work gone
 * ends it for good (`lost`).
 */
export function keepLease({ leaseMs, renew, onRenewalError }: LeaseHeartbeatOptions): LeaseHeartbeat {
  const usableMs = leaseMs - leaseMs / 5;
  let heldUntil = performance.now() + usableMs;
  let lost = false;
  let stopped = false;
  let renewal: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  const renewed = (startedAt: number) => void (heldUntil = Math.max(heldUntil, startedAt + usableMs));

  async function beat(): Promise<void> {
    const startedAt = performance.now();
    try {
      if (await renew()) renewed(startedAt);
      else lost = true;
    } catch (error) {
      onRenewalError?.(error);
    }
    schedule();
  }

  function schedule(): void {
    if (stopped || lost) return;
    timer = setTimeout(() => (renewal = beat()), leaseMs / 3);
    // The work keeps its process alive, not its heartbeat.
    timer.unref();
  }

  const lapse = (): LeaseLapse | null => (lost ? 'lost' : performance.now() > heldUntil ? 'expired' : null);
  schedule();
  return {
    held: () => lapse() === null,
    lapse,
    renewed,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await renewal;
    },
  };
}
