/**
 * The other processes of a split deployment, as token replication reaches
 * them: every SEAMS_REMOTE_<NAME> URL and every SEAMS_PEERS URL. Each peer is a
 * subscriber of the platform outbox of its own, `peer:<base URL>`, so a peer
 * that is down holds only its own changes (peerClient.ts carries them).
 */
import type { Config } from '../../config.ts';
import type { SubscriberIndex } from '../events/outbox.ts';
import { PublisherStatusChanged, TokenChanged } from './tokenChanges.ts';

/** The base URLs this process sends its token changes to and catches up from. */
export function peersOf(config: Pick<Config, 'remotes' | 'peers'>): string[] {
  return [...new Set([...Object.values(config.remotes), ...config.peers])];
}

/**
 * The outbox subscriber of a peer. Dots are written %2E: the dispatcher takes what precedes the first
 * dot for the party out of reach, and two peers must never be taken for one.
 */
export const peerKey = (url: string) => `peer:${url.replaceAll('.', '%2E')}`;
export const peerUrl = (key: string) => (key.startsWith('peer:') ? key.slice('peer:'.length).replaceAll('%2E', '.') : null);
/** What the outbox's subscriber column holds. */
export const MAX_PEER_KEY_LENGTH = 120;

/** The platform outbox's subscribers: every token change goes to every peer. */
export function tokenChangeSubscribers(peers: string[]): SubscriberIndex {
  const keys = peers.map(peerKey);
  return new Map([
    [TokenChanged.name, keys],
    [PublisherStatusChanged.name, keys],
  ]);
}
