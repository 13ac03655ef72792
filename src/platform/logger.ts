import { pino } from 'pino';
import type { Config } from '../config.ts';
import type { Logger } from '../kernel/index.ts';

/** Structured JSON logs on stdout; every line of a request carries its request id. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger & pino.Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'seams' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  });
}

export const systemClock = { now: () => new Date() };
