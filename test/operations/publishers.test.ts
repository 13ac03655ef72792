import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { bootOperations } from './setup.ts';

for (const dialect of dialects) {
  test(`[${dialect}] ops registers a publisher: 201 with defaults, ETag and Location; finance and the publisher read it`, async (t) => {
    const { api, ops, finance } = await bootOperations(t, dialect);
    const created = await api.post('/v1/publishers', { name: 'Pixel Forge', contactEmail: 'money@pixelforge.example', country: 'FI' }, ops);
    t.is(created.status, 201);
    t.like(created.body, {
      name: 'Pixel Forge',
      contactEmail: 'money@pixelforge.example',
      country: 'FI',
      revenueShareBps: 7000,
      status: 'active',
      version: 1,
    });
    t.regex(created.body.id, /^pub_/);
    t.is(created.headers.get('etag'), '"1"');
    t.is(created.headers.get('location'), `/v1/publishers/${created.body.id}`);
    t.deepEqual((await api.get(`/v1/publishers/${created.body.id}`, finance)).body, created.body);

    const own = await api.token('publisher', created.body.id);
    t.is((await api.get(`/v1/publishers/${created.body.id}`, own)).status, 200);
  });

  test(`[${dialect}] bad publisher input is 422 with every problem named; roles are enforced`, async (t) => {
    const { api, ops, finance } = await bootOperations(t, dialect);
    const bad = await api.post(
      '/v1/publishers',
      { name: '', contactEmail: 'nope', country: 'de', revenueShareBps: 10001, status: 'active' },
      ops,
    );
    t.is(bad.status, 422);
    t.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), [
      '/contactEmail',
      '/country',
      '/name',
      '/revenueShareBps',
      '/status',
    ]);
    const unknownCountry = await api.post('/v1/publishers', { name: 'X', contactEmail: 'x@x.example', country: 'QQ' }, ops);
    t.is(unknownCountry.status, 422);
    t.is(unknownCountry.body.errors[0].path, '/country');
    t.is((await api.post('/v1/publishers', { name: 'X', contactEmail: 'x@x.example', country: 'DE' }, finance)).status, 403);
    t.is((await api.post('/v1/publishers', { name: 'X', contactEmail: 'x@x.example', country: 'DE' }, null)).status, 401);
  });

  test(`[${dialect}] a publisher token sees only its own publisher: others are 404`, async (t) => {
    const { api, seed } = await bootOperations(t, dialect);
    const mine = await seed();
    const theirs = await seed();
    const token = await api.token('publisher', mine.publisherId);
    t.is((await api.get(`/v1/publishers/${theirs.publisherId}`, token)).status, 404);
    t.is((await api.get(`/v1/publishers/${theirs.publisherId}/apps`, token)).status, 404);
    t.is((await api.get(`/v1/apps/${theirs.appId}/ad-units`, token)).status, 404);
    t.is((await api.get(`/v1/publishers/${theirs.publisherId}/earnings?from=2026-03-01&to=2026-03-31`, token)).status, 404);
    t.is((await api.get(`/v1/publishers/${theirs.publisherId}/dashboard`, token)).status, 404);
    t.is((await api.get('/v1/publishers', token)).status, 403);
    t.is((await api.get(`/v1/apps/${mine.appId}/ad-units`, token)).status, 200);
    t.is(
      (await api.post('/v1/tokens', { role: 'publisher', publisherId: 'pub_00000000000000000000000000' })).status,
      422,
      'a token for an unknown publisher is refused',
    );
  });

  test(`[${dialect}] PATCH changes a publisher, bumps its version and honours If-Match`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect);
    const { publisherId } = await seed();
    const patch = (body: unknown, headers: Record<string, string> = {}) =>
      api.request('PATCH', `/v1/publishers/${publisherId}`, { token: ops, body, headers });
    const changed = await patch({ name: 'Renamed', revenueShareBps: 6500 }, { 'if-match': '"1"' });
    t.is(changed.status, 200);
    t.like(changed.body, { name: 'Renamed', revenueShareBps: 6500, version: 2 });
    t.is(changed.headers.get('etag'), '"2"');
    const stale = await patch({ name: 'Again' }, { 'if-match': '"1"' });
    t.is(stale.status, 412);
    t.is((await api.get(`/v1/publishers/${publisherId}`, ops)).body.name, 'Renamed', 'a stale write changes nothing');
    t.is((await patch({})).status, 422, 'an empty patch is refused');
    t.is((await patch({ version: 9 })).status, 422);
    t.is((await patch({ status: 'deleted' })).status, 422);
    t.is((await patch({ status: 'suspended' })).body.status, 'suspended');
    t.is((await api.request('PATCH', '/v1/publishers/pub_missing', { token: ops, body: { name: 'x' } })).status, 404);
  });

  test(`[${dialect}] publishers list by status with cursor pagination`, async (t) => {
    const { api, ops, finance, seed } = await bootOperations(t, dialect);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await seed()).publisherId);
    await api.request('PATCH', `/v1/publishers/${ids[1]}`, { token: ops, body: { status: 'suspended' } });
    const first = await api.get('/v1/publishers?limit=2&status=active', finance);
    t.deepEqual(
      first.body.data.map((p: { id: string }) => p.id),
      [ids[0], ids[2]],
    );
    const second = await api.get(`/v1/publishers?limit=2&status=active&cursor=${first.body.nextCursor}`, finance);
    t.deepEqual(
      second.body.data.map((p: { id: string }) => p.id),
      [ids[3], ids[4]],
    );
    t.is(second.body.nextCursor, null);
    t.is((await api.get('/v1/publishers?limit=101', finance)).status, 422);
    t.is((await api.get('/v1/publishers?status=gone', finance)).status, 422);
  });

  test(`[${dialect}] registering and changing a publisher publish their events through the outbox`, async (t) => {
    const { api, ops, billing } = await bootOperations(t, dialect);
    const created = await api.post('/v1/publishers', { name: 'Evented', contactEmail: 'a@b.example', country: 'US' }, ops);
    await api.request('PATCH', `/v1/publishers/${created.body.id}`, { token: ops, body: { contactEmail: 'new@b.example' } });
    await api.request('PATCH', `/v1/publishers/${created.body.id}`, { token: ops, body: { contactEmail: 'new@b.example' } });
    const events = await waitUntil(async () => {
      const received = await billing.received();
      return received.length >= 2 && received;
    });
    t.is(events.length, 2, 'a patch that changes nothing publishes nothing');
    t.deepEqual(events[0], {
      name: 'operations.PublisherRegistered',
      payload: {
        publisherId: created.body.id,
        name: 'Evented',
        contactEmail: 'a@b.example',
        country: 'US',
        revenueShareBps: 7000,
        status: 'active',
        registeredAt: created.body.createdAt,
      },
    });
    t.like(events[1]!.payload, { publisherId: created.body.id, contactEmail: 'new@b.example', version: 2, changed: ['contactEmail'] });
  });
}
