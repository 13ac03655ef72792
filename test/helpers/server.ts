/** Boots the app from its factory on an ephemeral loopback port and talks to it over real HTTP. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { createApp, type App, type AppOptions } from '../../src/app.ts';
import { testConfig, type Dialect } from './databases.ts';

export const BOOTSTRAP = 'bootstrap-token-for-tests-0123456789';

export interface Response<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Client {
  url: string;
  request<T = any>(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Response<T>>;
  get<T = any>(path: string, token?: string | null): Promise<Response<T>>;
  post<T = any>(path: string, body: unknown, token?: string | null, headers?: Record<string, string>): Promise<Response<T>>;
  /** A new token of a role, created through the API with the bootstrap token. */
  token(role: string, publisherId?: string): Promise<string>;
}

export function clientFor(url: string): Client {
  const client: Client = {
    url,
    async request(method, path, options = {}) {
      const token = options.token === undefined ? BOOTSTRAP : options.token;
      const headers: Record<string, string> = { ...options.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = res.headers.get('content-type')?.includes('pdf') ? '' : await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: leave the text
      }
      return { status: res.status, headers: res.headers, body: parsed as any, text };
    },
    get: (path, token) => client.request('GET', path, { token }),
    post: (path, body, token, headers) => client.request('POST', path, { body, token, headers }),
    async token(role, publisherId) {
      const res = await client.post('/v1/tokens', { role, ...(publisherId && { publisherId }) });
      if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${res.text}`);
      return res.body.token;
    },
  };
  return client;
}

export interface Booted extends Client {
  app: App;
}

export async function boot(
  t: ExecutionContext,
  dialect: Dialect,
  options: AppOptions & { env?: NodeJS.ProcessEnv; start?: boolean } = {},
): Promise<Booted> {
  const config = await testConfig(t, dialect, { SEAMS_BOOTSTRAP_TOKEN: BOOTSTRAP, ...options.env });
  const app = await createApp(config, options);
  if (options.start !== false) app.start();
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  });
  return Object.assign(clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), { app });
}
