/**
 * Progress for long CLI commands: a redrawn bar on a terminal (done/total,
 * rate, ETA), plain lines every few seconds when output goes to a file or CI.
 * A `bytes` unit reads as kB/MB.
 */
import type { Progress } from '../kernel/index.ts';

const TTY_EVERY_MS = 100;
const PLAIN_EVERY_MS = 2_000;

const number = (n: number) => Math.round(n).toLocaleString('en-US');
const megabytes = (n: number) => (n < 1_000_000 ? `${(n / 1_000).toFixed(1)} kB` : `${(n / 1_000_000).toFixed(1)} MB`);

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}

export function makeProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  label: string,
  unit: string,
  initialTotal?: number,
  now: () => number = Date.now,
): Progress {
  const started = now();
  let total = initialTotal;
  let done = 0;
  let detail: string | undefined;
  let lastDraw = -Infinity;
  const amount = unit === 'bytes' ? megabytes : (n: number) => `${number(n)} ${unit}`;
  const tty = stream.isTTY === true;

  function line(): string {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const rate = done / seconds;
    const eta = total !== undefined && rate > 0 ? duration((total - done) / rate) : '?';
    const counts =
      total !== undefined
        ? unit === 'bytes'
          ? `${megabytes(done)} of ${megabytes(total)}`
          : `${number(done)}/${number(total)} ${unit}`
        : amount(done);
    const percent = total ? Math.min(100, Math.floor((done / total) * 100)) : null;
    const bar = tty && percent !== null ? `[${'#'.repeat(percent / 5).padEnd(20, '-')}] ${String(percent).padStart(3)}% ` : '';
    return `${label} ${bar}${counts}, ${detail ?? `${amount(rate)}/s`}, ETA ${eta}`;
  }

  function draw(force: boolean): void {
    const at = now();
    if (!force && at - lastDraw < (tty ? TTY_EVERY_MS : PLAIN_EVERY_MS)) return;
    lastDraw = at;
    stream.write(tty ? `\r\x1b[2K${line()}` : `${line()}\n`);
  }

  return {
    update(count, newTotal, newDetail) {
      done = count;
      if (newTotal !== undefined) total = newTotal;
      detail = newDetail;
      draw(false);
    },
    clear() {
      if (tty && lastDraw !== -Infinity) stream.write('\r\x1b[2K');
    },
    finish(summary) {
      draw(true);
      const seconds = (now() - started) / 1000;
      stream.write(`${tty ? '\n' : ''}${label} done: ${summary ?? `${number(done)} ${unit}`} in ${seconds.toFixed(1)}s\n`);
    },
  };
}
