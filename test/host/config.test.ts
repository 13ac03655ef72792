import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { spawnTs } from '../helpers/child.ts';
import { tempDir } from '../helpers/databases.ts';

test('configuration is validated and every problem is reported at once', (t) => {
  const error = t.throws(() =>
    loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', SEAMS_BOOTSTRAP_TOKEN: 'short', SMTP_URL: 'smtp://x' }),
  );
  for (const text of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'SEAMS_BOOTSTRAP_TOKEN', 'SMTP_URL and SEAMS_ALERT_EMAIL']) {
    t.true(error!.message.includes(text), text);
  }
  const config = loadConfig({ SEAMS_REMOTE_BILLING: 'http://10.0.0.2:3000/', SEAMS_MODULES: 'operations' });
  t.deepEqual(config.remotes, { billing: 'http://10.0.0.2:3000' });
  t.deepEqual(config.modules, ['operations']);
  t.is(config.port, 3000);
});

test('the server refuses to start on bad configuration, with a clear message and a non-zero exit', async (t) => {
  const server = spawnTs('src/main.ts', [], { PORT: 'abc', SEAMS_DATA_DIR: tempDir(t) });
  const { code } = await server.exited;
  t.is(code, 1);
  t.regex(server.output(), /invalid configuration:\n {2}- PORT must be an integer from 0 to 65535, got "abc"/);
});

test('the server serves, then exits by itself on SIGTERM', async (t) => {
  const server = spawnTs('src/main.ts', [], { PORT: '0', SEAMS_DATA_DIR: tempDir(t), LOG_LEVEL: 'info' });
  await server.waitFor('seams listening on');
  const port = /127\.0\.0\.1:(\d+)/.exec(server.output())![1];
  t.is((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
  server.process.kill('SIGTERM');
  const { code } = await server.exited;
  t.is(code, 0);
  t.regex(server.output(), /"msg":"stopped"/);
});
