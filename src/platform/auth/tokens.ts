/**
 * API tokens: `<id>.<secret>`, random, shown once, stored as a SHA-256 of the
 * secret (the secret has 256 bits of entropy, so a slow hash adds nothing) and
 * compared in constant time on every request. The row it is compared with
 * comes from a view in memory of this process's replica (tokenCache.ts): a
 * token in use costs no database read, an unknown id is read every time, and
 * the view is emptied by every change made or merged here and read again after
 * 500 ms. Every change (created, revoked) is appended to the platform outbox in
 * the same transaction for the other processes' replicas (tokenChanges.ts), so
 * a revocation applies here at once, elsewhere within a second, and on another
 * instance sharing this database within 500 ms. A publisher token is refused
 * while its publisher is suspended.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  DomainError,
  decodeCursor,
  invalid,
  newId,
  notFound,
  toPage,
  type Caller,
  type Clock,
  type ModuleDatabase,
  type Outbox,
  type PageOf,
  type Role,
} from '../../kernel/index.ts';
import { RefusedCredential } from './failedAuthLimiter.ts';
import { makeTokenCache, type CheckedToken, type TokenCache } from './tokenCache.ts';
import {
  PublisherStatusChanged,
  TokenChanged,
  mergePublisherStatus,
  toRecord,
  type PublisherTokenStatus,
  type TokenRow,
} from './tokenChanges.ts';

export interface TokenView {
  id: string;
  role: Role;
  publisherId: string | null;
  name: string | null;
  createdAt: string;
}

const sha256 = (text: string) => hash('sha256', text, 'buffer');
/** Every request whose token the cache lacks runs it: a primary-key lookup of the columns the check needs, kept prepared. */
const TOKEN_BY_ID =
  'select t.role, t.publisher_id, t.secret_hash, t.revoked_at, p.status as publisher_status ' +
  'from tokens t left join publisher_statuses p on p.publisher_id = t.publisher_id where t.id = ?';
type CheckedRow = Pick<TokenRow, 'role' | 'publisher_id' | 'secret_hash' | 'revoked_at'> & {
  publisher_status: PublisherTokenStatus | null;
};
const checked = (row: CheckedRow): CheckedToken => ({
  role: row.role,
  publisherId: row.publisher_id,
  secretHash: Buffer.from(row.secret_hash, 'hex'),
  revoked: row.revoked_at !== null,
  publisherSuspended: row.publisher_status === 'suspended',
});
/** Compared with when the id is unknown, so a wrong secret and an unknown id cost the same work. */
const NO_HASH = Buffer.alloc(32);
const unauthorized = (message: string) => new DomainError('AUTH.TOKEN_INVALID', 'unauthorized', message);
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const ISSUED_ID = /^(tok_[0-9A-HJKMNP-TV-Z]{26})\./;

/**
 * Which credential an `Authorization` header names, for the failed-authentication limiter: the
 * id of an issued token, `bootstrap` for any other text (only SEAMS_BOOTSTRAP_TOKEN could match
 * it), or null when there is no Bearer token at all (nothing to guess, nothing looked up).
 */
export function presentedTokenId(header: string | undefined): string | null {
  const token = header ? BEARER.exec(header)?.[1] : undefined;
  if (token === undefined) return null;
  return ISSUED_ID.exec(token)?.[1] ?? 'bootstrap';
}

export interface TokenServiceDeps {
  /** The platform store of this process. */
  db: ModuleDatabase;
  clock: Clock;
  bootstrapToken: string | null;
  /** The platform outbox: changes for the other processes' replicas (none without peers). */
  outbox: Outbox;
  /** A publisher's status, null when it does not exist (asked of the module that keeps publishers, where it is reachable). */
  publisherStatus?: (publisherId: string) => Promise<PublisherTokenStatus | null>;
  /** Waits, after a change commits, until the other processes have it (the server's replication; none in the CLI). */
  reachedPeers?: (aggregateIds: string[]) => Promise<void>;
  /** The tokens checked lately (the replication's, which empties it when it merges a change; the CLI's own otherwise). */
  cache?: TokenCache;
}

export function makeTokenService(deps: TokenServiceDeps) {
  const { db, clock, bootstrapToken, outbox, publisherStatus, reachedPeers, cache = makeTokenCache() } = deps;
  const { knex } = db;
  const readChecked = async (id: string) => {
    const [row] = await db.select<CheckedRow>(TOKEN_BY_ID, [id]);
    return row && checked(row);
  };
  const bootstrapHash = bootstrapToken === null ? null : sha256(bootstrapToken);
  const view = (row: TokenRow): TokenView => ({
    id: row.id,
    role: row.role,
    publisherId: row.publisher_id,
    name: row.name,
    createdAt: row.created_at,
  });

  return {
    async create(input: { role: Role; publisherId?: string | null; name?: string | null }): Promise<TokenView & { token: string }> {
      const publisherId = input.publisherId ?? null;
      if (input.role === 'publisher' && publisherId === null) {
        throw invalid('AUTH.PUBLISHER_REQUIRED', 'A publisher token needs a publisherId', [
          { path: '/publisherId', message: 'is required for role publisher' },
        ]);
      }
      if (input.role !== 'publisher' && publisherId !== null) {
        throw invalid('AUTH.PUBLISHER_NOT_ALLOWED', 'Only publisher tokens are bound to a publisher', [
          { path: '/publisherId', message: `is not allowed for role ${input.role}` },
        ]);
      }
      const status = publisherId !== null && publisherStatus ? await publisherStatus(publisherId) : undefined;
      if (status === null) {
        throw invalid('AUTH.PUBLISHER_UNKNOWN', `No publisher ${publisherId}`, [{ path: '/publisherId', message: 'does not exist' }]);
      }
      const secret = randomBytes(32).toString('base64url');
      const row: TokenRow = {
        id: newId('tok'),
        name: input.name ?? null,
        role: input.role,
        publisher_id: publisherId,
        secret_hash: sha256(secret).toString('hex'),
        created_at: clock.now().toISOString(),
        revoked_at: null,
      };
      await db.writeTransaction(async (trx) => {
        await trx('tokens').insert(row);
        await outbox.append(trx, TokenChanged, toRecord(row));
        // A status this replica has not heard yet (a publisher suspended before statuses were followed)
        // is kept as read, without a version: any event of the publisher's supersedes it.
        const read = status === undefined ? null : { publisherId: publisherId!, status, version: 0 };
        if (read && (await mergePublisherStatus(trx, read, row.created_at))) await outbox.append(trx, PublisherStatusChanged, read);
      });
      cache.changed();
      await reachedPeers?.([row.id]);
      return { ...view(row), token: `${row.id}.${secret}` };
    },

    async list(limit: number, cursor?: string): Promise<PageOf<TokenView>> {
      const after = decodeCursor(cursor, 1);
      const rows: TokenRow[] = await knex('tokens')
        .whereNull('revoked_at')
        .modify((q) => after && q.where('id', '<', after[0]!))
        .orderBy('id', 'desc')
        .limit(limit + 1);
      return toPage(rows, limit, (r) => [r.id], view);
    },

    async revoke(id: string): Promise<void> {
      let change = '';
      await db.writeTransaction(async (trx) => {
        const count = await trx('tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: clock.now().toISOString() });
        if (count === 0) throw notFound('AUTH.TOKEN_NOT_FOUND', `No active token ${id}`);
        const record = toRecord(await trx('tokens').where({ id }).first());
        await outbox.append(trx, TokenChanged, record);
        change = TokenChanged.aggregateId(record);
      });
      cache.changed();
      await reachedPeers?.([change]);
    },

    /** The caller behind an `Authorization` header value, or a 401. */
    async authenticate(header: string | undefined): Promise<Caller> {
      const match = header ? BEARER.exec(header) : null;
      if (!match) throw unauthorized('Send a token as "Authorization: Bearer <token>"');
      const token = match[1]!;
      if (bootstrapHash !== null && timingSafeEqual(sha256(token), bootstrapHash)) {
        return { tokenId: 'bootstrap', role: 'admin', publisherId: null };
      }
      const dot = token.indexOf('.');
      if (dot < 0) throw unauthorized('The token is not valid');
      const id = token.slice(0, dot);
      const row = await cache.get(id, readChecked);
      const given = sha256(token.slice(dot + 1));
      if (!timingSafeEqual(given, row?.secretHash ?? NO_HASH) || !row || row.revoked)
        throw unauthorized('The token is not valid or was revoked');
      if (row.publisherSuspended) {
        throw new RefusedCredential(
          'PUBLISHER_SUSPENDED',
          `Publisher ${row.publisherId} is suspended: its tokens are refused until it is reactivated`,
        );
      }
      return { tokenId: id, role: row.role, publisherId: row.publisherId };
    },
  };
}

export type TokenService = ReturnType<typeof makeTokenService>;
