import { pino } from 'pino';
import type { Config } from '../config.ts';
import type { Logger } from '../kernel/index.ts';

/**
 * Structured JSON logs on stdout (stderr for the CLI: `fd` 2, its stdout is its result); every
 * line of a request carries its request id.
 * Lines are written asynchronously, 4 KiB at a time or every 100 ms, rather than one
 * blocking write per request line; pino writes what is left synchronously when the
 * process exits (on `exit`, which a crash also emits), and flushLogs() does it on demand.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, fd: 1 | 2 = 1): Logger & pino.Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'seams' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
    },
    pino.destination({ dest: fd, sync: false, minLength: 4096, periodicFlush: 100 }),
  );
}

/** Writes the buffered lines of a logger made by createLogger() now (a no-op for any other logger). */
export function flushLogs(log: Logger): void {
  const stream = (log as unknown as Partial<Record<symbol, { flushSync?: () => void }>>)[pino.symbols.streamSym];
  try {
    stream?.flushSync?.();
  } catch {
    // Not open yet or already closed: nothing buffered can be written.
  }
}

export const systemClock = { now: () => new Date() };
