import test from 'ava';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { spawnTs } from '../helpers/child.ts';
import { tempDir } from '../helpers/databases.ts';
import { BOOTSTRAP } from '../helpers/server.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

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
  const notesDb = async () => {
    const app = await createApp(loadConfig({ SEAMS_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { modules: [notesModule, tallyModule] });
    const count = Number((await app.databases.get('notes')!.knex('notes').count({ n: '*' }))[0]!.n);
    await app.close();
    return count;
  };
  // Wait for the write to commit, then kill the process before it answers.
  for (let i = 0; i < 100 && (await notesDb()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
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
  t.is(await notesDb(), 1, 'the effect happened once');
});
