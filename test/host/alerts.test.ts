import type { AddressInfo } from 'node:net';
import test from 'ava';
import { SMTPServer } from 'smtp-server';
import { boot } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';

async function smtp(t: Parameters<typeof boot>[0]) {
  const mails: { to: string; body: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk) => (body += chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, mails };
}

test('an unexpected error mails one alert with request id, route and stack, without delaying the response', async (t) => {
  const { url, mails } = await smtp(t);
  const api = await boot(t, 'sqlite', { modules: [notesModule], env: { SMTP_URL: url, SEAMS_ALERT_EMAIL: 'oncall@seams.example' } });
  const res = await api.request('GET', '/v1/boom', { headers: { 'x-request-id': 'req-boom-1' } });
  t.is(res.status, 500);
  t.is(res.body.code, 'INTERNAL');
  t.notRegex(res.text, /kaboom|at /, 'the client sees neither the message nor the stack');
  const [mail] = await waitUntil(async () => mails.length >= 1 && mails, 5_000, 'the alert');
  t.is(mail!.to, 'oncall@seams.example');
  t.regex(mail!.body, /unexpected error on GET \/v1\/boom/);
  t.regex(mail!.body, /Request id: req-boom-1/);
  t.regex(mail!.body, /Error: kaboom/);
  t.regex(mail!.body, /at Object.handler/, 'with the stack');
});

test('a storm of errors sends a digest, not a mail per error', async (t) => {
  const { url, mails } = await smtp(t);
  const api = await boot(t, 'sqlite', { modules: [notesModule], env: { SMTP_URL: url, SEAMS_ALERT_EMAIL: 'oncall@seams.example' } });
  await Promise.all(Array.from({ length: 30 }, (_, i) => api.request('GET', '/v1/boom', { headers: { 'x-request-id': `storm-${i}` } })));
  await waitUntil(async () => mails.length >= 1, 5_000, 'the first alert');
  await api.app.close(); // flushes the digest, as a shutdown does
  t.is(mails.length, 2);
  t.regex(mails[1]!.body, /29 more unexpected errors/);
  t.regex(mails[1]!.body, /and 9 more/);
});
