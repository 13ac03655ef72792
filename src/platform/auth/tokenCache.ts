/**
 * The token rows requests were checked against, kept in memory so that a token in use is checked
 * without a database read (the secret is still hashed and compared on every request). It never
 * answers for longer than a revocation may take:
 *
 * - every change made to this process's replica, here or merged from a peer (a token created or
 *   revoked, a publisher suspended or reactivated), empties it, and a read that was under way when
 *   it was emptied is not kept (it may have read the row from before the change);
 * - an entry is read again once it is MAX_AGE_MS old, for the changes no message announces (another
 *   instance on the same database, the CLI);
 * - only rows found are kept: an unknown id is read every time, so a token made elsewhere works at
 *   once; and at most MAX_ENTRIES, the oldest dropped first, so distinct ids cannot grow it.
 */
import type { Role } from '../../kernel/index.ts';

const MAX_AGE_MS = 500;
const MAX_ENTRIES = 10_000;

/** What authentication checks of a token, as it was read. */
export interface CheckedToken {
  role: Role;
  publisherId: string | null;
  /** SHA-256 of the secret, decoded once. */
  secretHash: Buffer;
  revoked: boolean;
  publisherSuspended: boolean;
}

export interface TokenCacheOptions {
  maxAgeMs?: number;
  maxEntries?: number;
  /** Milliseconds on a monotonic clock (tests move it by hand). */
  now?: () => number;
}

export function makeTokenCache({ maxAgeMs = MAX_AGE_MS, maxEntries = MAX_ENTRIES, now = () => performance.now() }: TokenCacheOptions = {}) {
  const entries = new Map<string, { token: CheckedToken; readAt: number }>();
  // Counts the changes: a read is kept only if none happened while it ran.
  let changes = 0;

  return {
    /** The token `id` as checked within the last MAX_AGE_MS and unchanged since, or as `read` finds it now. */
    async get(id: string, read: (id: string) => Promise<CheckedToken | undefined>): Promise<CheckedToken | undefined> {
      const entry = entries.get(id);
      if (entry !== undefined) {
        if (now() - entry.readAt < maxAgeMs) return entry.token;
        entries.delete(id);
      }
      const [before, readAt] = [changes, now()];
      const token = await read(id);
      if (token !== undefined && changes === before) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(id, { token, readAt });
      }
      return token;
    },

    /** After any change to the replica's tokens or publisher statuses, once it is committed. */
    changed(): void {
      changes++;
      entries.clear();
    },

    get size(): number {
      return entries.size;
    },
  };
}

export type TokenCache = ReturnType<typeof makeTokenCache>;
