import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { bootOperations } from './setup.ts';

for (const dialect of dialects) {
  test(`[${dialect}] apps and ad units are created and listed; bundle ids are unique per platform`, async (t) => {
    const { api, ops, finance, seed } = await bootOperations(t, dialect);
    const { publisherId } = await seed();
    const app = await api.post(
      `/v1/publishers/${publisherId}/apps`,
      { name: 'Tiny Tanks', platform: 'ios', bundleId: 'com.pf.tanks' },
      ops,
    );
    t.is(app.status, 201);
    t.like(app.body, { publisherId, name: 'Tiny Tanks', platform: 'ios', bundleId: 'com.pf.tanks' });

    const duplicate = await api.post(
      `/v1/publishers/${publisherId}/apps`,
      { name: 'Copy', platform: 'ios', bundleId: 'com.pf.tanks' },
      ops,
    );
    t.is(duplicate.status, 409);
    t.is(duplicate.body.code, 'OPERATIONS.BUNDLE_ID_TAKEN');
    const otherPlatform = await api.post(
      `/v1/publishers/${publisherId}/apps`,
      { name: 'Web', platform: 'web', bundleId: 'com.pf.tanks' },
      ops,
    );
    t.is(otherPlatform.status, 201, 'the same bundle id on another platform is fine');

    const unit = await api.post(`/v1/apps/${app.body.id}/ad-units`, { name: 'reward', format: 'rewarded', floorCpmMicros: 1_500_000 }, ops);
    t.is(unit.status, 201);
    t.like(unit.body, { appId: app.body.id, publisherId, format: 'rewarded', floorCpmMicros: 1_500_000 });

    const apps = await api.get(`/v1/publishers/${publisherId}/apps?limit=2`, finance);
    t.is(apps.status, 200);
    t.is(apps.body.data.length, 2);
    t.truthy(apps.body.nextCursor);
    const units = await api.get(`/v1/apps/${app.body.id}/ad-units`, finance);
    t.deepEqual(units.body.data, [unit.body]);
  });

  test(`[${dialect}] catalog input errors: 422 for bad fields, 404 for unknown parents, 403 for readers`, async (t) => {
    const { api, ops, finance, seed } = await bootOperations(t, dialect);
    const { publisherId, appId } = await seed();
    const bad = await api.post(`/v1/publishers/${publisherId}/apps`, { name: 'X', platform: 'symbian', bundleId: 'has space' }, ops);
    t.is(bad.status, 422);
    t.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['/bundleId', '/platform']);
    t.is((await api.post(`/v1/apps/${appId}/ad-units`, { name: 'x', format: 'video' }, ops)).status, 422);
    t.is((await api.post(`/v1/apps/${appId}/ad-units`, { name: 'x', format: 'native', floorCpmMicros: -1 }, ops)).status, 422);
    t.is((await api.post('/v1/publishers/pub_unknown/apps', { name: 'X', platform: 'ios', bundleId: 'a.b' }, ops)).status, 404);
    t.is((await api.post('/v1/apps/app_unknown/ad-units', { name: 'x', format: 'native' }, ops)).status, 404);
    t.is((await api.get('/v1/apps/app_unknown/ad-units', ops)).status, 404);
    t.is((await api.post(`/v1/apps/${appId}/ad-units`, { name: 'x', format: 'native' }, finance)).status, 403);
  });
}
