/**
 * `/internal/*` between processes: only a contract's own methods exist, every
 * event is held to its contract's schema before a handler sees it, and wrong
 * service tokens are limited like wrong API tokens.
 */
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { newId } from '../../src/kernel/index.ts';
import { dialects } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';
import { sendFrom, tally } from './clientAddress.ts';

const SERVICE_TOKEN = 'service-token-for-internal-tests-0123';
const env = { SEAMS_SERVICE_TOKEN: SERVICE_TOKEN };

test('a facade method name that every object inherits (constructor, toString, valueOf, __proto__…) is 404 FACADE.UNKNOWN_METHOD, never a call', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [notesModule], env });
  const inherited = [
    'constructor',
    'toString',
    'toLocaleString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    '__proto__',
    '__lookupGetter__',
    '__defineGetter__',
  ];
  for (const method of inherited) {
    const res = await api.post(`/internal/notes/${method}`, { ids: [] }, SERVICE_TOKEN);
    t.is(res.status, 404, `${method}: ${res.text}`);
    t.like(res.body, { code: 'FACADE.UNKNOWN_METHOD', kind: 'not_found', status: 404 }, method);
    t.is(res.headers.get('content-type'), 'application/problem+json', method);
  }
  const own = await api.post('/internal/notes/notesByIds', { ids: [] }, SERVICE_TOKEN);
  t.is(own.status, 200, 'a method of the contract still answers');
  t.is(own.headers.get('cache-control'), 'no-store');
});

for (const dialect of dialects) {
  test(`[${dialect}] an event posted to /internal/billing/events is checked against its contract: a payload off the schema, another event or another aggregate is 422 naming the field; a good one is handled`, async (t) => {
    const api = await boot(t, dialect, { modules: [operationsModule, billingModule], env });
    const publisherId = newId('pub');
    const payload = {
      publisherId,
      name: 'Far Studio',
      contactEmail: 'far@studio.example',
      country: 'FI',
      revenueShareBps: 7000,
      status: 'active',
      registeredAt: '2026-03-01T00:00:00.000Z',
    };
    const event = {
      id: newId('evt'),
      name: 'operations.PublisherRegistered',
      version: 1,
      aggregateId: publisherId,
      occurredAt: '2026-03-01T00:00:00.000Z',
      payload,
    };
    const deliver = (changes: object) =>
      api.post(
        '/internal/billing/events',
        { subscriber: 'billing.billingAccount', event: { ...event, id: newId('evt'), ...changes } },
        SERVICE_TOKEN,
      );

    const empty = await deliver({ payload: {} });
    t.is(empty.status, 422, empty.text);
    t.like(empty.body, { code: 'VALIDATION_FAILED', kind: 'validation' });
    t.true(
      empty.body.errors.some((e: { path: string }) => e.path === '/event/payload/publisherId'),
      JSON.stringify(empty.body.errors),
    );

    const wrongType = await deliver({ payload: { ...payload, revenueShareBps: 'lots' } });
    t.is(wrongType.status, 422);
    t.deepEqual(
      wrongType.body.errors.map((e: { path: string }) => e.path),
      ['/event/payload/revenueShareBps'],
    );

    const otherEvent = await deliver({ name: 'operations.PublisherRenamed' });
    t.is(otherEvent.status, 422);
    t.like(otherEvent.body, { code: 'EVENTS.UNEXPECTED_EVENT', errors: [{ path: '/event/name' }] });
    t.is((await deliver({ version: 2 })).body.code, 'EVENTS.UNEXPECTED_EVENT');

    const otherAggregate = await deliver({ aggregateId: newId('pub') });
    t.is(otherAggregate.status, 422);
    t.like(otherAggregate.body, { code: 'EVENTS.AGGREGATE_MISMATCH', errors: [{ path: '/event/aggregateId' }] });

    const finance = await api.token('finance');
    t.is((await api.get(`/v1/billing-accounts/${publisherId}`, finance)).status, 404, 'nothing refused was handled');
    // Well formed, but no publisher of that id exists: the handler asks Operations and opens nothing.
    const madeUp = await deliver({});
    t.is(madeUp.status, 422, madeUp.text);
    t.like(madeUp.body, { code: 'BILLING.PUBLISHER_UNKNOWN', errors: [{ path: '/event/payload/publisherId' }] });
    t.is((await api.get(`/v1/billing-accounts/${publisherId}`, finance)).status, 404);

    const real = await api.post(
      '/v1/publishers',
      { name: 'Far Studio', contactEmail: 'far@studio.example', country: 'FI' },
      await api.token('ops'),
    );
    const good = await deliver({ aggregateId: real.body.id, payload: { ...payload, publisherId: real.body.id } });
    t.is(good.status, 204, good.text);
    const account = await waitUntil(async () => {
      const res = await api.get(`/v1/billing-accounts/${real.body.id}`, finance);
      return res.status === 200 && res.body;
    });
    t.is(account.legalName, 'Far Studio');
  });
}

test('wrong service tokens are limited per address like wrong API tokens: after a first failure, of 30 at once the 9 left are checked (403), 21 refused (429); the real token from another address still gets in', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [notesModule], env });
  const call = (from: string, token: string) => sendFrom(from, api.url, '/internal/notes/notesByIds', { token, body: { ids: [] } });
  t.is((await call('127.0.8.1', 'service-token-first-guess-0123456789')).status, 403);
  const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => call('127.0.8.1', `service-token-guess-${i}-0123456789`)));
  t.deepEqual(tally(guesses), { 403: 9, 429: 21 });
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
