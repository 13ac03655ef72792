/**
 * The wait of a background loop between passes: it ends when its time is up
 * or when something wakes it (new work committed in this process). A wake that
 * comes while the loop is busy is kept, so the next wait returns at once.
 */
export function makeIdleWait() {
  let wakeUp: (() => void) | null = null;
  let woken = false;
  return {
    wait(ms: number): Promise<void> {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = null;
          woken = false;
          resolve();
        }
        wakeUp = done;
      });
    },
    wake(): void {
      if (wakeUp) wakeUp();
      else woken = true;
    },
  };
}
