import http from 'node:http';
import test from 'ava';
import { spawnTs } from '../helpers/child.ts';
import { tempDir } from '../helpers/databases.ts';
import { BOOTSTRAP } from '../helpers/server.ts';

function get(port: number, path: string, agent?: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      })
      .on('error', reject);
  });
}

test('SIGTERM: /ready turns 503 at once, /health stays 200, an in-flight request completes, idle sockets close, the process exits by itself', async (t) => {
  const server = spawnTs('test/fixtures/server.ts', [], {
    PORT: '0',
    SEAMS_DATA_DIR: tempDir(t),
    SEAMS_BOOTSTRAP_TOKEN: BOOTSTRAP,
    SEAMS_SHUTDOWN_DRAIN_MS: '1000',
    LOG_LEVEL: 'info',
  });
  await server.waitFor('seams listening on');
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(server.output())![1]);
  const keepAlive = new http.Agent({ keepAlive: true });
  t.is(await get(port, '/health', keepAlive), 200);
  let idleClosed = false;
  for (const sockets of Object.values(keepAlive.freeSockets))
    for (const socket of sockets ?? []) socket.on('close', () => (idleClosed = true));

  // A request that takes 2 s, in flight when the signal arrives.
  const slow = fetch(`http://127.0.0.1:${port}/v1/notes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'slow', text: 'finishes', delayMs: 2000 }),
  });
  await new Promise((r) => setTimeout(r, 300));
  const signalled = Date.now();
  server.process.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 150));
  t.is(await get(port, '/ready'), 503);
  t.is(await get(port, '/health'), 200);

  const response = await slow;
  t.is(response.status, 201);
  t.is(((await response.json()) as { text: string }).text, 'finishes');
  const { code } = await server.exited;
  t.is(code, 0);
  t.true(idleClosed, 'the idle keep-alive socket was closed by the server');
  t.true(Date.now() - signalled < 30_000);
  t.regex(server.output(), /"msg":"stopped"/);
  keepAlive.destroy();
});
