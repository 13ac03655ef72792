/**
 * A background loop (the invoice-run worker, the issue recovery sweep, the
 * event dispatcher): runs `pass` again and again, waits `idleMs` after a pass
 * that found nothing to do (or failed) — or as long as the pass says, when it
 * knows when work falls due — wakes at once when told there is work, and stops
 * after the pass in hand.
 */
import { makeIdleWait } from './idleWait.ts';
import type { Logger } from './logger.ts';
import type { BackgroundWorker } from './module.ts';

export type LoopWorker = BackgroundWorker & {
  /** Work was committed in this process: look now instead of after the wait. */
  wake(): void;
};

export function makeLoopWorker(options: {
  name: string;
  idleMs: number;
  log: Logger;
  /**
   * One pass: 'busy' to go again at once, 'idle' to wait `idleMs`, `{ idleMs }` to wait that long instead.
   * `running()` turns false once stop() was called.
   */
  pass: (running: () => boolean) => Promise<'busy' | 'idle' | { idleMs: number }>;
}): LoopWorker {
  let running = false;
  let loop: Promise<void> | null = null;
  const idle = makeIdleWait();
  const isRunning = () => running;

  async function work(): Promise<void> {
    while (running) {
      let outcome: 'busy' | 'idle' | { idleMs: number } = 'idle';
      try {
        outcome = await options.pass(isRunning);
      } catch (error) {
        options.log.error({ err: error }, `${options.name}: pass failed`);
      }
      if (running && outcome !== 'busy') await idle.wait(outcome === 'idle' ? options.idleMs : outcome.idleMs);
    }
  }

  return {
    name: options.name,
    start() {
      if (running) return;
      running = true;
      loop = work();
    },
    async stop() {
      running = false;
      idle.wake();
      await loop;
      loop = null;
    },
    wake: idle.wake,
  };
}
