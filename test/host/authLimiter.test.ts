/**
 * Failed-authentication limiting: a guesser is held up per (address, token id)
 * and, past a higher count, per address, but a valid credential is checked first
 * and never refused for someone else's failures. Real concurrent requests from
 * several loopback addresses, no sleeps.
 */
import http from 'node:http';
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { newId } from '../../src/kernel/index.ts';
import { dialects } from '../helpers/databases.ts';
import { boot, BOOTSTRAP } from '../helpers/server.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';
import { sendFrom, tally } from './clientAddress.ts';

const modules = [notesModule];
const wrongSecretOf = (token: string) => `${token.split('.')[0]}.not-the-secret`;

test('guessing one token: 10 wrong secrets are checked (401), then that token id is refused from that address (429, Retry-After) while every other caller there still gets through', async (t) => {
  const api = await boot(t, 'sqlite', { modules });
  const [target, colleague] = [await api.token('ops'), await api.token('finance')];
  const guesser = '127.0.2.1';
  for (let i = 0; i < 10; i++) t.is((await sendFrom(guesser, api.url, '/v1/notes/x', { token: wrongSecretOf(target) })).status, 401);
  const limited = await sendFrom(guesser, api.url, '/v1/notes/x', { token: wrongSecretOf(target) });
  t.is(limited.status, 429);
  t.is(limited.body.code, 'AUTH.TOO_MANY_FAILURES');
  const retryAfter = Number(limited.headers['retry-after']);
  t.true(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);

  t.is((await sendFrom(guesser, api.url, '/v1/tokens', { token: BOOTSTRAP })).status, 200, 'the admin behind the same address');
  t.is((await sendFrom(guesser, api.url, '/v1/notes/x', { token: colleague })).status, 404, 'another token behind the same address');
  t.is((await sendFrom('127.0.2.2', api.url, '/v1/notes/x', { token: target })).status, 404, 'the guessed token from its own address');
  t.is(
    (await sendFrom(guesser, api.url, '/v1/notes/x', { token: target })).status,
    429,
    'the guessed token id stays unchecked where it was guessed',
  );
  t.is((await sendFrom(guesser, api.url, '/health')).status, 200);
});

test('a guesser spreading one token id over seven addresses is held up at each of them after 10 failures', async (t) => {
  const api = await boot(t, 'sqlite', { modules });
  const token = await api.token('ops');
  const addresses = ['127.0.3.2', '127.0.3.3', '127.0.3.4', '127.0.3.5', '127.0.3.6', '127.0.3.7', '127.0.3.8'];
  // The addresses guess at the same time, each one guess after another.
  const perAddress = await Promise.all(
    addresses.map(async (from) => {
      const answers = [];
      for (let i = 0; i < 15; i++) answers.push(await sendFrom(from, api.url, '/v1/notes/x', { token: wrongSecretOf(token) }));
      return answers;
    }),
  );
  t.deepEqual(tally(perAddress.flat()), { 401: 70, 429: 35 });
  for (const answers of perAddress)
    t.deepEqual(
      answers.map((a) => a.status),
      [...Array(10).fill(401), ...Array(5).fill(429)],
    );
});

test('once a token id has failed from an address, guesses sent at once cannot slip past the count: of 30 simultaneous wrong secrets only the 9 left are checked', async (t) => {
  const api = await boot(t, 'sqlite', { modules });
  const token = await api.token('ops');
  t.is((await sendFrom('127.0.4.1', api.url, '/v1/notes/x', { token: wrongSecretOf(token) })).status, 401);
  const answers = await Promise.all(
    Array.from({ length: 30 }, () => sendFrom('127.0.4.1', api.url, '/v1/notes/x', { token: wrongSecretOf(token) })),
  );
  t.deepEqual(tally(answers), { 401: 9, 429: 21 });
});

for (const dialect of dialects) {
  test(`[${dialect}] a busy client is never held up by its own concurrency: 60 requests at once over open connections, one valid token, one address, all served next to a guesser there`, async (t) => {
    const api = await boot(t, dialect, { modules });
    const [busy, guessed] = [await api.token('ops'), await api.token('ops')];
    const from = '127.0.4.2';
    // Connections opened first, so the 60 requests arrive together and their token checks overlap.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 60 });
    t.teardown(() => agent.destroy());
    await Promise.all(Array.from({ length: 60 }, () => sendFrom(from, api.url, '/health', { agent })));
    const answers = await Promise.all([
      ...Array.from({ length: 60 }, () => sendFrom(from, api.url, '/v1/notes/x', { token: busy, agent })),
      ...Array.from({ length: 15 }, () => sendFrom(from, api.url, '/v1/notes/x', { token: wrongSecretOf(guessed) })),
    ]);
    t.deepEqual(tally(answers.slice(0, 60)), { 404: 60 });
    t.true(
      answers.slice(60).every((a) => a.status === 401 || a.status === 429),
      'the guesses were refused',
    );
    t.is(
      (await sendFrom(from, api.url, '/v1/notes/x', { token: wrongSecretOf(guessed) })).status,
      429,
      'and now that token is held up there',
    );
  });
}

test('past 100 failures from one address (any token ids, or none issued), a wrong credential is 429 but valid tokens from that address are still served', async (t) => {
  const api = await boot(t, 'sqlite', { modules });
  const ops = await api.token('ops');
  const from = '127.0.5.1';
  // Each guess names another id, so only the address counter sees them add up.
  const guesses = await Promise.all(
    Array.from({ length: 100 }, () => sendFrom(from, api.url, '/v1/notes/x', { token: `${newId('tok')}.guess` })),
  );
  t.deepEqual(tally(guesses), { 401: 100 });
  const next = await sendFrom(from, api.url, '/v1/notes/x', { token: `${newId('tok')}.guess` });
  t.is(next.status, 429);
  t.truthy(next.headers['retry-after']);
  const valid = await Promise.all([
    sendFrom(from, api.url, '/v1/tokens', { token: BOOTSTRAP }),
    sendFrom(from, api.url, '/v1/notes/x', { token: ops }),
  ]);
  t.deepEqual(
    valid.map((a) => a.status),
    [200, 404],
  );
  t.is(
    (await sendFrom('127.0.5.2', api.url, '/v1/notes/x', { token: `${newId('tok')}.guess` })).status,
    401,
    'another address is not affected',
  );
});

test('text not shaped like an issued token can only be the bootstrap token: guesses of it count together, whatever they look like', async (t) => {
  const api = await boot(t, 'sqlite', { modules });
  const answers = [];
  for (let i = 0; i < 11; i++)
    answers.push(await sendFrom('127.0.6.1', api.url, '/v1/tokens', { token: `guess-${i}-of-the-bootstrap-token` }));
  t.deepEqual(tally(answers), { 401: 10, 429: 1 });
  t.is((await sendFrom('127.0.6.2', api.url, '/v1/tokens', { token: BOOTSTRAP })).status, 200);
  t.is((await sendFrom('127.0.6.1', api.url, '/v1/tokens')).status, 401, 'no credential at all is a plain 401: nothing was guessed');
});

test('SEAMS_TRUST_PROXY=1: clients behind one balancer are told apart by the last X-Forwarded-For entry; without it the header is ignored, so forging it dodges nothing', async (t) => {
  const behind = await boot(t, 'sqlite', { modules, env: { SEAMS_TRUST_PROXY: '1' } });
  const token = await behind.token('ops');
  const balancer = '127.0.7.1';
  const as = (client: string, credential: string) =>
    sendFrom(balancer, behind.url, '/v1/notes/x', { token: credential, headers: { 'x-forwarded-for': client } });
  for (let i = 0; i < 10; i++) t.is((await as('203.0.113.5', wrongSecretOf(token))).status, 401);
  t.is((await as('203.0.113.5', wrongSecretOf(token))).status, 429);
  t.is(
    (await as('198.51.100.1, 203.0.113.5', wrongSecretOf(token))).status,
    429,
    'a forged first entry does not hide the client the balancer saw',
  );
  t.is((await as('203.0.113.6', wrongSecretOf(token))).status, 401, 'another client behind the same balancer');
  t.is((await as('203.0.113.6', token)).status, 404, 'and its valid token works');

  const direct = await boot(t, 'sqlite', { modules });
  const other = await direct.token('ops');
  const forged = [];
  for (let i = 0; i < 11; i++) {
    forged.push(
      await sendFrom('127.0.7.2', direct.url, '/v1/notes/x', {
        token: wrongSecretOf(other),
        headers: { 'x-forwarded-for': `192.0.2.${i}` },
      }),
    );
  }
  t.deepEqual(tally(forged), { 401: 10, 429: 1 });
});

test('SEAMS_TRUST_PROXY takes the number of proxies in front, 0 to 10', (t) => {
  t.is(loadConfig({}).trustProxy, 0);
  t.is(loadConfig({ SEAMS_TRUST_PROXY: '2' }).trustProxy, 2);
  for (const bad of ['true', '-1', '11', '1.5']) {
    t.throws(() => loadConfig({ SEAMS_TRUST_PROXY: bad }), { message: /SEAMS_TRUST_PROXY must be an integer from 0 to 10/ }, bad);
  }
});
