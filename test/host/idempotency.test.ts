import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { boot } from '../helpers/server.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';

for (const dialect of dialects) {
  test(`[${dialect}] the same Idempotency-Key and body replays the first response and writes once`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const ops = await api.token('ops');
    const key = { 'idempotency-key': 'note-1' };
    const first = await api.post('/v1/notes', { topic: 'a', text: 'b' }, ops, key);
    const second = await api.post('/v1/notes', { topic: 'a', text: 'b' }, ops, key);
    t.is(first.status, 201);
    t.is(second.status, 201);
    t.deepEqual(second.body, first.body);
    t.is(second.headers.get('idempotent-replayed'), 'true');
    const count = await api.app.databases.get('notes')!.knex('notes').count({ n: '*' });
    t.is(Number(count[0]!.n), 1);
  });

  test(`[${dialect}] the same key with another body is 422; keys are scoped per token`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const ops = await api.token('ops');
    const other = await api.token('ops');
    const key = { 'idempotency-key': 'k' };
    t.is((await api.post('/v1/notes', { topic: 'a', text: 'b' }, ops, key)).status, 201);
    const reused = await api.post('/v1/notes', { topic: 'a', text: 'changed' }, ops, key);
    t.is(reused.status, 422);
    t.is(reused.body.code, 'IDEMPOTENCY.KEY_REUSED');
    const otherCaller = await api.post('/v1/notes', { topic: 'a', text: 'changed' }, other, key);
    t.is(otherCaller.status, 201, 'another token has its own key space');
    t.is((await api.post('/v1/notes', { topic: 'a', text: 'b' }, ops, { 'idempotency-key': 'x'.repeat(256) })).status, 400);
  });

  test(`[${dialect}] a key still in flight answers 409; a failed request frees its key`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const ops = await api.token('ops');
    const key = { 'idempotency-key': 'slow' };
    const slow = api.post('/v1/notes', { topic: 'a', text: 'b', delayMs: 600 }, ops, key);
    const platform = api.app.databases.get('platform')!.knex;
    await waitUntil(
      () => platform('idempotency_keys').where({ key: 'slow', state: 'in_flight' }).first(),
      5_000,
      'the first request holding its key',
    );
    const concurrent = await api.post('/v1/notes', { topic: 'a', text: 'b', delayMs: 600 }, ops, key);
    t.is(concurrent.status, 409);
    t.is(concurrent.body.code, 'IDEMPOTENCY.KEY_IN_FLIGHT');
    t.is((await slow).status, 201);

    const invalid = await api.post('/v1/notes', { topic: '', text: 'b' }, ops, { 'idempotency-key': 'bad' });
    t.is(invalid.status, 422);
    const corrected = await api.post('/v1/notes', { topic: 'ok', text: 'b' }, ops, { 'idempotency-key': 'bad' });
    t.is(corrected.status, 201, 'a refused request leaves its key free for the corrected one');
  });
}

test('a key whose request died in flight stays spent: its outcome is unknown, so it is never run again', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [notesModule] });
  const ops = await api.token('ops');
  const key = { 'idempotency-key': 'abandoned' };
  // The key as a killed process leaves it: claimed, never answered, its lease long past.
  const first = await api.post('/v1/notes', { topic: 'a', text: 'b' }, ops, key);
  const platform = api.app.databases.get('platform')!.knex;
  await platform('idempotency_keys')
    .where({ key: 'abandoned' })
    .update({ state: 'in_flight', response: null, locked_until: '2000-01-01T00:00:00.000Z' });
  const replay = await api.post('/v1/notes', { topic: 'a', text: 'b' }, ops, key);
  t.is(replay.status, 409);
  t.is(replay.body.code, 'IDEMPOTENCY.OUTCOME_UNKNOWN');
  t.is((await api.app.databases.get('notes')!.knex('notes').select('id')).length, 1);
  t.is(first.status, 201);
});
