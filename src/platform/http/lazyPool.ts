/**
 * An undici connection pool made on the first request: undici (a hundred files, ~18 MiB) loads only
 * in a process that calls another one, not in every process that could.
 */
import type { Pool } from 'undici';

export interface LazyPool {
  request(options: Parameters<Pool['request']>[0]): ReturnType<Pool['request']>;
  close(): Promise<void>;
}

export function lazyPool(baseUrl: string, options: Pool.Options): LazyPool {
  let pool: Promise<Pool> | null = null;
  const open = () => (pool ??= import('undici').then(({ Pool }) => new Pool(baseUrl, options)));
  return {
    request: async (request) => (await open()).request(request),
    close: async () => {
      if (pool) await (await pool).close();
    },
  };
}
