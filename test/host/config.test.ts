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

test('SEAMS_BROKER_URL must be an amqp(s) URL; SEAMS_BROKER_PREFIX names the exchange and queues', (t) => {
  const error = t.throws(() => loadConfig({ SEAMS_BROKER_URL: 'http://rabbit:5672', SEAMS_BROKER_PREFIX: 'Bad Prefix' }));
  t.regex(error!.message, /SEAMS_BROKER_URL must be an amqp:\/\/ or amqps:\/\/ URL/);
  t.regex(error!.message, /SEAMS_BROKER_PREFIX must be/);
  t.like(loadConfig({}), { brokerUrl: null, brokerPrefix: 'seams' });
  t.like(loadConfig({ SEAMS_BROKER_URL: 'amqps://u:p@mq.example:5671/vh', SEAMS_BROKER_PREFIX: 'staging' }), {
    brokerUrl: 'amqps://u:p@mq.example:5671/vh',
    brokerPrefix: 'staging',
  });
});
