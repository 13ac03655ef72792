/**
 * What every process's token replica learns, and how it merges it. Each
 * process keeps every token (hashed) and every publisher's token status in its
 * own platform store; a change made anywhere travels to the others as one of
 * these events. Merging is order-free and idempotent: a token is upserted by
 * id and a revocation is never undone; a publisher's status is kept only when
 * its version is newer than the one held.
 */
import type { Knex } from 'knex';
import { Nullable, ROLES, Strict, StringEnum, Type, defineEvent, type Role, type Static } from '../../kernel/index.ts';

export const PUBLISHER_TOKEN_STATUSES = ['active', 'suspended'] as const;
export type PublisherTokenStatus = (typeof PUBLISHER_TOKEN_STATUSES)[number];

const TokenRecord = Strict({
  id: Type.String({ pattern: '^tok_[0-9A-Z]{26}$' }),
  name: Nullable(Type.String({ maxLength: 200 })),
  role: StringEnum(ROLES),
  publisherId: Nullable(Type.String({ minLength: 1, maxLength: 40 })),
  secretHash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the secret: the secret itself is never sent' }),
  createdAt: Type.String({ maxLength: 24 }),
  revokedAt: Nullable(Type.String({ maxLength: 24 })),
});
export type TokenRecord = Static<typeof TokenRecord>;

const PublisherStatusRecord = Strict({
  publisherId: Type.String({ minLength: 1, maxLength: 40 }),
  status: StringEnum(PUBLISHER_TOKEN_STATUSES),
  version: Type.Integer({ minimum: 0, description: "the publisher's version in Operations; 0: read without one" }),
});
export type PublisherStatusRecord = Static<typeof PublisherStatusRecord>;

// Each change is an aggregate of its own: merging needs no order, so none waits behind another.
export const TokenChanged = defineEvent({
  name: 'platform.TokenChanged',
  version: 1,
  description: 'A token was created or revoked (the whole record, its secret hashed).',
  payload: TokenRecord,
  aggregateId: (p) => (p.revokedAt === null ? p.id : `${p.id}:revoked`),
});

export const PublisherStatusChanged = defineEvent({
  name: 'platform.PublisherStatusChanged',
  version: 1,
  description: 'A publisher was suspended or reactivated: its tokens follow (403 PUBLISHER_SUSPENDED while suspended).',
  payload: PublisherStatusRecord,
  aggregateId: (p) => `${p.publisherId}:${p.version}`,
});

export const TokenSnapshot = Strict({ tokens: Type.Array(TokenRecord), publishers: Type.Array(PublisherStatusRecord) });
export type TokenSnapshot = Static<typeof TokenSnapshot>;

export interface TokenRow {
  id: string;
  name: string | null;
  role: Role;
  publisher_id: string | null;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export const toRecord = (row: TokenRow): TokenRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  publisherId: row.publisher_id,
  secretHash: row.secret_hash,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

const toRow = (record: TokenRecord): TokenRow => ({
  id: record.id,
  name: record.name,
  role: record.role,
  publisher_id: record.publisherId,
  secret_hash: record.secretHash,
  created_at: record.createdAt,
  revoked_at: record.revokedAt,
});

/** Upserts tokens by id; a revocation held here stays (the earliest wins), one arriving is kept. */
export async function mergeTokens(knex: Knex, records: TokenRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    await knex('tokens')
      .insert(records.slice(i, i + 500).map(toRow))
      .onConflict('id')
      .merge({ revoked_at: knex.raw('coalesce(tokens.revoked_at, excluded.revoked_at)') });
  }
}

/** Keeps a publisher's status when its version is newer than the one held; says whether it did. */
export async function mergePublisherStatus(knex: Knex, record: PublisherStatusRecord, now: string): Promise<boolean> {
  const kept = await knex('publisher_statuses')
    .insert({ publisher_id: record.publisherId, status: record.status, version: record.version, updated_at: now })
    .onConflict('publisher_id')
    .merge(['status', 'version', 'updated_at'])
    .where('publisher_statuses.version', '<', record.version)
    .returning('publisher_id');
  return kept.length > 0;
}

/** Everything this replica holds, revoked tokens included (hashes only). */
export async function readSnapshot(knex: Knex): Promise<TokenSnapshot> {
  const tokens: TokenRow[] = await knex('tokens')
    .select('id', 'name', 'role', 'publisher_id', 'secret_hash', 'created_at', 'revoked_at')
    .orderBy('id');
  const publishers: { publisher_id: string; status: PublisherTokenStatus; version: number }[] = await knex('publisher_statuses')
    .select('publisher_id', 'status', 'version')
    .orderBy('publisher_id');
  return {
    tokens: tokens.map(toRecord),
    publishers: publishers.map((p) => ({ publisherId: p.publisher_id, status: p.status, version: Number(p.version) })),
  };
}

export async function mergeSnapshot(knex: Knex, snapshot: TokenSnapshot, now: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await mergeTokens(trx, snapshot.tokens);
    for (const publisher of snapshot.publishers) await mergePublisherStatus(trx, publisher, now);
  });
}
