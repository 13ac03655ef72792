/**
 * Catch-up on start: each peer's whole replica is read and merged here, so a
 * process that was down, restored, or never ran before knows every token and
 * revocation made elsewhere. A peer out of reach does not hold the start up: it
 * is tried again in the background (1 s doubling to 30 s) until it answers
 * once; from then on its changes arrive through its outbox.
 */
import { makeIdleWait, type Clock, type Logger, type ModuleDatabase } from '../../kernel/index.ts';
import { mergeSnapshot } from './tokenChanges.ts';
import type { PeerClient } from './peerClient.ts';

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 30_000;

export interface TokenCatchUpDeps {
  db: ModuleDatabase;
  peers: PeerClient[];
  clock: Clock;
  log: Logger;
  /** Called once a peer's replica is merged here. */
  merged: () => void;
}

export function makeTokenCatchUp({ db, peers, clock, log, merged }: TokenCatchUpDeps) {
  /** Peers not tried yet since the start: until each was tried once, this replica may lack what they hold. */
  const untried = new Set(peers.map((p) => p.url));
  const waits = new Set<ReturnType<typeof makeIdleWait>>();
  let running = false;
  let loops: Promise<void>[] = [];

  async function catchUpWith(peer: PeerClient): Promise<void> {
    const idle = makeIdleWait();
    waits.add(idle);
    for (let attempt = 0; running; attempt++) {
      try {
        const snapshot = await peer.snapshot();
        await mergeSnapshot(db.knex, snapshot, clock.now().toISOString());
        merged();
        log.info({ peer: peer.url, tokens: snapshot.tokens.length, publishers: snapshot.publishers.length }, 'tokens caught up with peer');
        return;
      } catch (error) {
        if (attempt === 0)
          log.warn(
            { peer: peer.url, err: (error as Error).message },
            'tokens: peer out of reach for the catch-up, trying again in the background',
          );
      } finally {
        untried.delete(peer.url);
      }
      await idle.wait(Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt));
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      loops = peers.map(catchUpWith);
    },
    /** null once every peer was tried; otherwise what /ready reports. */
    pending: (): string | null => (untried.size === 0 ? null : `catching up with ${[...untried].join(', ')}`),
    async stop(): Promise<void> {
      running = false;
      for (const idle of waits) idle.wake();
      await Promise.all(loops);
    },
  };
}
