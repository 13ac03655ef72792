/**
 * `Idempotency-Key` on POST: the same key and body replays the first response;
 * the same key with another body is 422; while the first request still runs,
 * 409. Keys are scoped per token and kept 24 hours.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError, conflict, invalid, type Clock, type Reply } from '../kernel/index.ts';

export const KEY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How long a request may run holding its key; past it, its process is taken for dead (requests time out at 60 s). */
const IN_FLIGHT_LEASE_MS = 90 * 1000;

const KEY = /^[\x21-\x7e]{1,255}$/;

interface KeyRow {
  caller: string;
  key: string;
  request_hash: string;
  state: 'in_flight' | 'done';
  status: number | null;
  response: string | null;
  created_at: string;
  locked_until: string;
}

export interface IdempotentRequest {
  caller: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

export function makeIdempotency({ knex, clock }: { knex: Knex; clock: Clock }) {
  const iso = (ms: number) => new Date(ms).toISOString();

  async function claim(request: IdempotentRequest, hash: string): Promise<Reply | null> {
    const now = clock.now().getTime();
    const fresh: KeyRow = {
      caller: request.caller,
      key: request.key,
      request_hash: hash,
      state: 'in_flight',
      status: null,
      response: null,
      created_at: iso(now),
      locked_until: iso(now + IN_FLIGHT_LEASE_MS),
    };
    const inserted = await knex('idempotency_keys').insert(fresh).onConflict(['caller', 'key']).ignore().returning('key');
    if (inserted.length > 0) return null;

    const row: KeyRow | undefined = await knex('idempotency_keys').where({ caller: request.caller, key: request.key }).first();
    if (!row) return claim(request, hash); // expired and pruned in between
    if (row.created_at < iso(now - KEY_RETENTION_MS)) {
      await knex('idempotency_keys').where({ caller: row.caller, key: row.key, created_at: row.created_at }).delete();
      return claim(request, hash);
    }
    if (row.request_hash !== hash) {
      throw invalid('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used with a different request', [
        { path: '/headers/idempotency-key', message: 'was already used for another request body or route' },
      ]);
    }
    if (row.state === 'done') return JSON.parse(row.response!) as Reply;
    if (row.locked_until > iso(now)) {
      throw conflict('IDEMPOTENCY.KEY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed; retry later');
    }
    // The process serving it died mid-request: its effect may have committed while its response
    // was never recorded. Running it again could apply it twice, so the key stays spent.
    throw conflict(
      'IDEMPOTENCY.OUTCOME_UNKNOWN',
      'A request with this Idempotency-Key was interrupted and may or may not have taken effect; ' +
        'check the resource, then retry with a new key if it is missing',
    );
  }

  return {
    async run(request: IdempotentRequest, execute: () => Promise<Reply>): Promise<Reply & { replayed?: boolean }> {
      if (!KEY.test(request.key)) {
        throw new DomainError('IDEMPOTENCY.KEY_INVALID', 'bad_request', 'Idempotency-Key must be 1–255 printable ASCII characters');
      }
      const hash = createHash('sha256')
        .update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`)
        .digest('hex');
      const replay = await claim(request, hash);
      if (replay) return { ...replay, replayed: true };
      const where = { caller: request.caller, key: request.key };
      let reply: Reply;
      try {
        reply = await execute();
      } catch (error) {
        // Nothing happened that a retry could duplicate: free the key.
        await knex('idempotency_keys')
          .where({ ...where, state: 'in_flight' })
          .delete();
        throw error;
      }
      const stored: Reply = { status: reply.status ?? 200, body: reply.body, ...(reply.headers && { headers: reply.headers }) };
      await knex('idempotency_keys')
        .where(where)
        .update({ state: 'done', status: stored.status, response: JSON.stringify(stored) });
      return reply;
    },

    async prune(): Promise<number> {
      return knex('idempotency_keys')
        .where('created_at', '<', iso(clock.now().getTime() - KEY_RETENTION_MS))
        .delete();
    },
  };
}

export type Idempotency = ReturnType<typeof makeIdempotency>;
