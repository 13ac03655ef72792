/**
 * A peer as token replication talks to it: `POST /internal/platform/tokens`
 * hands it one change, `GET` reads its whole replica (the catch-up). Service
 * token only; a peer that cannot take the change (down, starting, draining)
 * is an outage for the dispatcher, not an attempt.
 */
import { lazyPool } from '../http/lazyPool.ts';
import { validator, type EventEnvelope } from '../../kernel/index.ts';
import { DeliveryUnavailable } from '../events/dispatcher.ts';
import { TokenSnapshot } from './tokenChanges.ts';
import { peerKey } from './tokenPeers.ts';

export const TOKENS_PATH = '/internal/platform/tokens';
/** Answers meaning the change was never looked at there: not serving (starting, draining) or another service token. */
const NOT_HANDLED = new Set([401, 403, 502, 503]);
const checkSnapshot = validator(TokenSnapshot);

export function peerClient(baseUrl: string, serviceToken: string, timeoutMs = 5_000) {
  const key = peerKey(baseUrl);
  const pool = lazyPool(baseUrl, { connections: 4, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  async function request(method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
    let response;
    try {
      response = await pool.request({
        path: TOKENS_PATH,
        method,
        headers: { authorization: `Bearer ${serviceToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // No connection, or none answered in time: the change may not have been applied (applying it twice is harmless).
      throw new DeliveryUnavailable(`${baseUrl}${TOKENS_PATH} unreachable: ${(error as Error).message}`, key);
    }
    const text = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) return text ? JSON.parse(text) : undefined;
    const message = `${baseUrl}${TOKENS_PATH} answered ${response.statusCode}: ${text.slice(0, 300)}`;
    throw NOT_HANDLED.has(response.statusCode) ? new DeliveryUnavailable(message, key) : new Error(message);
  }

  return {
    url: baseUrl,
    /** Hands one change to the peer's replica (an unreached peer is an outage, not an attempt). */
    async send(event: EventEnvelope): Promise<void> {
      await request('POST', { event });
    },
    /** The peer's whole replica, hashes only. */
    async snapshot(): Promise<TokenSnapshot> {
      return checkSnapshot(await request('GET'), '/snapshot');
    },
    close: () => pool.close(),
  };
}

export type PeerClient = ReturnType<typeof peerClient>;
