/**
 * One request over real HTTP from a chosen loopback source address
 * (127.0.0.0/8 is all local on Linux), so a test can play several clients.
 */
import http from 'node:http';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export function sendFrom(
  from: string,
  url: string,
  path: string,
  options: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string>; agent?: http.Agent } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        localAddress: from,
        agent: options.agent ?? false,
        headers: {
          ...options.headers,
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: String(res.headers['content-type']).includes('json') && text ? JSON.parse(text) : text,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** How many answers had each status, e.g. `{ 401: 10, 429: 20 }`. */
export const tally = (answers: Answer[]) =>
  answers.reduce<Record<number, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});
