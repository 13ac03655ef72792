/** `/internal/*` between processes: wrong service tokens are limited like wrong API tokens. */
import test from 'ava';
import { boot } from '../helpers/server.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';
import { sendFrom, tally } from './clientAddress.ts';

const SERVICE_TOKEN = 'service-token-for-internal-tests-0123';
const env = { SEAMS_SERVICE_TOKEN: SERVICE_TOKEN };

test('wrong service tokens are limited per address like wrong API tokens: of 30 at once 10 are checked (403), 20 refused (429); the real token from another address still gets in', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [notesModule], env });
  const call = (from: string, token: string) => sendFrom(from, api.url, '/internal/notes/notesByIds', { token, body: { ids: [] } });
  const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => call('127.0.8.1', `service-token-guess-${i}-0123456789`)));
  t.deepEqual(tally(guesses), { 403: 10, 429: 20 });
  const refused = guesses.find((g) => g.status === 429)!;
  t.like(refused.body, { code: 'AUTH.TOO_MANY_FAILURES', kind: 'too_many_requests' });
  t.truthy(refused.headers['retry-after']);
  t.is((await call('127.0.8.2', SERVICE_TOKEN)).status, 200);
  t.is((await call('127.0.8.1', SERVICE_TOKEN)).status, 429, 'the guessed credential stays unchecked where it was guessed');
});

test('wrong /metrics tokens are limited the same way, and metrics are never stored by a cache', async (t) => {
  const metricsToken = 'metrics-token-for-tests-0123456789';
  const api = await boot(t, 'sqlite', { modules: [notesModule], env: { SEAMS_METRICS_TOKEN: metricsToken } });
  const answers = [];
  for (let i = 0; i < 11; i++) answers.push(await sendFrom('127.0.9.1', api.url, '/metrics', { token: `wrong-${i}` }));
  t.deepEqual(tally(answers), { 401: 10, 429: 1 });
  const ok = await sendFrom('127.0.9.2', api.url, '/metrics', { token: metricsToken });
  t.is(ok.status, 200);
  t.is(ok.headers['cache-control'], 'no-store');
});
