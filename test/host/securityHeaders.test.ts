/**
 * The security headers are helmet's defaults, worked out once at start: every
 * response carries exactly what helmet itself would set, and drifts from it
 * (a helmet upgrade changing a default) show here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import helmet from 'helmet';
import { boot } from '../helpers/server.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';

/** The headers helmet sets on a bare Node response. */
async function helmetHeaders(): Promise<Headers> {
  const middleware = helmet();
  const server = http.createServer((req, res) => middleware(req, res, () => res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).headers;
  } finally {
    server.close();
  }
}

const HELMET_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

test("every response carries helmet's default security headers, value for value, and no X-Powered-By", async (t) => {
  const expected = await helmetHeaders();
  const api = await boot(t, 'sqlite', { modules: [notesModule] });
  const ops = await api.token('ops');
  for (const res of [
    await api.request('GET', '/health', { token: null }),
    await api.request('GET', '/v1/nothing-here', { token: ops }),
    await api.request('POST', '/v1/notes', { token: ops, body: { topic: 'a', text: 'b' } }),
  ]) {
    for (const name of HELMET_HEADERS) {
      t.truthy(expected.get(name), `helmet sets ${name}`);
      t.is(res.headers.get(name), expected.get(name), `${name} on ${res.status}`);
    }
    t.is(res.headers.get('x-powered-by'), null);
  }
});
