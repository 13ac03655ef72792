import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { spawnTs } from '../helpers/child.ts';
import { tempDir } from '../helpers/databases.ts';
import { BOOTSTRAP } from '../helpers/server.ts';

async function startServer(dataDir: string) {
  const server = spawnTs('test/fixtures/server.ts', [], {
    PORT: '0',
    SEAMS_DATA_DIR: dataDir,
    SEAMS_BOOTSTRAP_TOKEN: BOOTSTRAP,
    LOG_LEVEL: 'info',
  });
  await server.waitFor('seams listening on');
  return { server, url: `http://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(server.output())![1]}` };
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/v1/notes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/json', 'idempotency-key': 'crash-key' },
    body: JSON.stringify(body),
  });

test('a process killed (SIGKILL) after the effect committed but before the key recorded its response: a replay never applies it twice', async (t) => {
  const dataDir = tempDir(t);
  const first = await startServer(dataDir);
  const body = { topic: 'crash', text: 'once', holdAfterWriteMs: 3000 };
  const doomed = post(first.url, body).catch((error: unknown) => error);
  // A direct read of the module's file (no app to start: the window before the answer is the route's hold).
  const notesDb = () => {
    const db = new Database(path.join(dataDir, 'notes.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  // Wait for the write to commit, then kill the process before it answers.
  for (let i = 0; i < 500 && notesDb() === 0; i++) await new Promise((r) => setTimeout(r, 10));
  first.server.process.kill('SIGKILL');
  await first.server.exited;
  t.true((await doomed) instanceof Error, 'the client never got an answer');

  const second = await startServer(dataDir);
  t.teardown(() => {
    second.server.process.kill('SIGKILL');
  });
  const replay = await post(second.url, body);
  t.is(replay.status, 409);
  t.regex(((await replay.json()) as { code: string }).code, /^IDEMPOTENCY\.(KEY_IN_FLIGHT|OUTCOME_UNKNOWN)$/);
  t.is(notesDb(), 1, 'the effect happened once');
});
