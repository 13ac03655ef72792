/**
 * The receiving side of token replication (`/internal/platform/tokens`) and
 * the settings that make peers: a change is checked before it is merged, the
 * merge is order-free, and start-up refuses a split whose token changes could
 * not reach every process.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { newId } from '../../src/kernel/index.ts';
import { dialects, testConfig } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';
import { SERVICE_TOKEN } from '../helpers/split.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

const envelope = (name: string, aggregateId: string, payload: object) => ({
  event: { id: newId('evt'), name, version: 1, aggregateId, occurredAt: new Date().toISOString(), payload },
});

for (const dialect of dialects) {
  test(`[${dialect}] a peer's token change is checked, then merged in any order: a revocation is never undone, an older publisher status never wins`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule], env: { SEAMS_SERVICE_TOKEN: SERVICE_TOKEN } });
    const send = (body: unknown, token: string | null = SERVICE_TOKEN) => api.request('POST', '/internal/platform/tokens', { token, body });
    const secret = 'a-secret-made-on-another-process';
    const record = {
      id: newId('tok'),
      name: 'portal',
      role: 'publisher',
      publisherId: 'pub_elsewhere',
      secretHash: createHash('sha256').update(secret).digest('hex'),
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    const token = `${record.id}.${secret}`;
    const created = envelope('platform.TokenChanged', record.id, record);
    const use = async () => {
      const res = await api.get('/v1/tokens', token);
      return `${res.status} ${res.body.code ?? ''}`.trim();
    };

    t.is((await send(created, null)).status, 401);
    t.is((await send(created, 'not-the-service-token-at-all')).status, 403);
    t.is((await api.request('GET', '/internal/platform/tokens', { token: null })).status, 401);
    const plain = await send(envelope('platform.TokenChanged', record.id, { ...record, secretHash: secret }));
    t.like(plain.body, { status: 422, code: 'VALIDATION_FAILED' });
    t.is(plain.body.errors[0].path, '/event/payload/secretHash', 'only a hash is taken');
    t.like((await send(envelope('platform.TokenStolen', record.id, record))).body, { status: 422, code: 'EVENTS.UNEXPECTED_EVENT' });
    t.like((await send(envelope('platform.TokenChanged', 'tok_other', record))).body, { status: 422, code: 'EVENTS.AGGREGATE_MISMATCH' });
    t.is(await use(), '401 AUTH.TOKEN_INVALID', 'nothing refused was kept');

    t.is((await send(created)).status, 204);
    t.is(await use(), '403 AUTH.ROLE_FORBIDDEN', 'known here: authenticated, then held to its role');
    const status = (s: string, version: number) =>
      envelope('platform.PublisherStatusChanged', `pub_elsewhere:${version}`, { publisherId: 'pub_elsewhere', status: s, version });
    t.is((await send(status('suspended', 3))).status, 204);
    t.is(await use(), '403 PUBLISHER_SUSPENDED');
    t.is((await send(status('active', 2))).status, 204);
    t.is(await use(), '403 PUBLISHER_SUSPENDED', 'an older status arriving late changes nothing');
    t.is((await send(status('active', 4))).status, 204);
    t.is(await use(), '403 AUTH.ROLE_FORBIDDEN');

    const revokedAt = new Date().toISOString();
    t.is((await send(envelope('platform.TokenChanged', `${record.id}:revoked`, { ...record, revokedAt }))).status, 204);
    t.is((await send(created)).status, 204, 'the creation, delivered again after the revocation');
    t.is(await use(), '401 AUTH.TOKEN_INVALID', 'stays revoked');

    const snapshot = await api.request('GET', '/internal/platform/tokens', { token: SERVICE_TOKEN });
    t.deepEqual(snapshot.body.tokens, [{ ...record, revokedAt }]);
    t.deepEqual(snapshot.body.publishers, [{ publisherId: 'pub_elsewhere', status: 'active', version: 4 }]);
    t.false(snapshot.text.includes(secret), 'never a secret');
  });
}

test('SEAMS_PEERS takes http(s) base URLs; start-up refuses a split whose token changes could not reach every process', async (t) => {
  t.deepEqual(loadConfig({ SEAMS_PEERS: ' http://billing:3001/ ,http://billing:3001,https://ops.internal ' }).peers, [
    'http://billing:3001',
    'https://ops.internal',
  ]);
  t.throws(() => loadConfig({ SEAMS_PEERS: 'billing:3001' }), {
    message: /SEAMS_PEERS must be comma-separated http\(s\) base URLs, got "billing:3001"/,
  });

  const refuse = async (env: Record<string, string>, pattern: RegExp) => {
    const error = await t.throwsAsync(createApp(await testConfig(t, 'sqlite', env), { modules: [notesModule, tallyModule] }));
    t.regex(error!.message, pattern);
  };
  // With a broker, nothing else needs the URL of a module that only listens: its tokens still do.
  const broker = { SEAMS_MODULES: 'notes', SEAMS_BROKER_URL: 'amqp://127.0.0.1:9', SEAMS_SERVICE_TOKEN: SERVICE_TOKEN };
  await refuse(broker, /module "tally" runs in another process that no URL here reaches: set SEAMS_PEERS to its base URL/);
  await refuse({ SEAMS_PEERS: 'http://127.0.0.1:9' }, /SEAMS_SERVICE_TOKEN is required to reach SEAMS_PEERS/);
  await refuse({ ...broker, SEAMS_PEERS: `http://${'a.'.repeat(40)}example` }, /is too long for a peer's base URL/);

  // Named as a peer, the listening module's process is reachable for its tokens: the start goes through.
  const config = await testConfig(t, 'sqlite', { ...broker, SEAMS_PEERS: 'http://127.0.0.1:9' });
  await t.notThrowsAsync(async () => (await createApp(config, { modules: [notesModule, tallyModule] })).close());
});
