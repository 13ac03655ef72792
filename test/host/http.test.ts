import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';

for (const dialect of dialects) {
  test(`[${dialect}] /health and /ready answer 200 on an empty data directory`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const health = await api.get('/health', null);
    t.is(health.status, 200);
    const ready = await api.get('/ready', null);
    t.is(ready.status, 200);
    t.deepEqual(ready.body.checks, { platform: 'ok', notes: 'ok' });
    t.deepEqual(ready.body.events.notes, { pending: 0, inFlight: 0, dead: 0 });
  });

  test(`[${dialect}] errors are RFC 9457 problems with a request id, never a stack trace`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const ops = await api.token('ops');

    const unknownRoute = await api.get('/v1/nothing-here');
    t.is(unknownRoute.status, 404);
    t.is(unknownRoute.headers.get('content-type'), 'application/problem+json');
    t.like(unknownRoute.body, { status: 404, title: 'Not Found', code: 'ROUTE_NOT_FOUND' });
    t.truthy(unknownRoute.headers.get('x-request-id'));

    const noToken = await api.get('/v1/notes/x', null);
    t.is(noToken.status, 401);
    t.is(noToken.headers.get('www-authenticate'), 'Bearer');

    const badToken = await api.get('/v1/notes/x', 'tok_nope.secret');
    t.is(badToken.status, 401);

    const malformed = await api.request('POST', '/v1/notes', {
      token: ops,
      raw: '{"topic": ',
      headers: { 'content-type': 'application/json' },
    });
    t.is(malformed.status, 400);
    t.is(malformed.body.code, 'JSON_MALFORMED');

    const wrongType = await api.request('POST', '/v1/notes', {
      token: ops,
      raw: 'topic=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    t.is(wrongType.status, 400);
    t.is(wrongType.body.code, 'CONTENT_TYPE_UNSUPPORTED');

    const tooLarge = await api.post('/v1/notes', { topic: 'a', text: 'x'.repeat(1024 * 1024) }, ops);
    t.is(tooLarge.status, 413);

    const unknownField = await api.post('/v1/notes', { topic: 'a', text: 'b', status: 'admin' }, ops);
    t.is(unknownField.status, 422);
    t.deepEqual(unknownField.body.errors, [{ path: '/status', message: 'is not an allowed field' }]);

    const missing = await api.post('/v1/notes', { text: 1 }, ops);
    t.is(missing.status, 422);
    t.deepEqual(missing.body.errors.map((e: { path: string }) => e.path).sort(), ['/text', '/topic']);

    const wrongMethod = await api.request('PATCH', '/v1/notes');
    t.is(wrongMethod.status, 405);
    t.is(wrongMethod.headers.get('allow'), 'POST');

    for (const res of [unknownRoute, noToken, malformed, tooLarge, unknownField, wrongMethod]) {
      t.false(res.text.includes('    at '), 'no stack trace');
    }
  });

  test(`[${dialect}] a caller's request id is echoed and security headers are set`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const res = await api.request('GET', '/health', { token: null, headers: { 'x-request-id': 'trace-123' } });
    t.is(res.headers.get('x-request-id'), 'trace-123');
    t.is(res.headers.get('x-content-type-options'), 'nosniff');
    t.truthy(res.headers.get('content-security-policy'));
    const unsafe = await api.request('GET', '/health', { token: null, headers: { 'x-request-id': 'bad id with spaces' } });
    t.not(unsafe.headers.get('x-request-id'), 'bad id with spaces');
  });

  test(`[${dialect}] roles: a route refuses roles it does not list with 403`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const finance = await api.token('finance');
    const res = await api.post('/v1/notes', { topic: 'a', text: 'b' }, finance);
    t.is(res.status, 403);
    t.is(res.body.code, 'AUTH.ROLE_FORBIDDEN');
    const ok = await api.post('/v1/notes', { topic: 'a', text: 'b' }, await api.token('ops'));
    t.is(ok.status, 201);
    const read = await api.get(`/v1/notes/${ok.body.id}`, finance);
    t.is(read.status, 200);
  });
}
