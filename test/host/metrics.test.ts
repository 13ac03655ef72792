import test from 'ava';
import type { Facade } from '../../src/kernel/index.ts';
import { boot } from '../helpers/server.ts';
import { bootSplit } from '../helpers/split.ts';
import { notesContract } from '../fixtures/modules/notes/contract.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { failingTopics, tallyModule } from '../fixtures/modules/tally/index.ts';
import { waitUntil } from '../helpers/wait.ts';

const metric = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('/metrics counts requests per route and module, facade calls per method and transport, and the outbox backlog', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [notesModule, tallyModule], dispatcher: { options: { maxAttempts: 1 } } });
  const ops = await api.token('ops');
  await api.post('/v1/notes', { topic: 'm', text: 'x' }, ops);
  await api.post('/v1/notes', { topic: 'm', text: '' }, ops);
  await api.post('/v1/notes', { topic: 'm' }, ops);
  await api.app.facades.resolve<Facade<typeof notesContract>>('notesFacade').notesByIds({ ids: [] });
  failingTopics.add('metrics-dead');
  t.teardown(() => failingTopics.delete('metrics-dead'));
  await noteServiceOf(api.app).write('metrics-dead', 'x');
  await waitUntil(async () => (await api.app.databases.get('notes')!.knex('outbox').where({ status: 'dead' })).length === 1);

  const res = await api.get('/metrics', null);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type')!, /^text\/plain/);
  t.is(metric(res.text, 'seams_http_requests_total', 'method="POST",route="/v1/notes",module="notes",status="201"'), 2);
  t.is(metric(res.text, 'seams_http_requests_total', 'method="POST",route="/v1/notes",module="notes",status="422"'), 1);
  t.true(metric(res.text, 'seams_http_request_duration_seconds_count', 'method="POST",route="/v1/notes",module="notes"') === 3);
  t.is(
    metric(res.text, 'seams_facade_calls_total', 'module="notes",method="notesByIds",transport="local",outcome="ok",route="background"'),
    1,
  );
  t.is(metric(res.text, 'seams_outbox_events', 'module="notes",state="dead"'), 1);
  t.regex(res.text, /^process_resident_memory_bytes \d+/m);
});

test('SEAMS_METRICS_TOKEN protects /metrics', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [notesModule], env: { SEAMS_METRICS_TOKEN: 'metrics-token-0123456789' } });
  t.is((await api.get('/metrics', null)).status, 401);
  t.is((await api.get('/metrics')).status, 401, 'an API token is not the metrics token');
  t.is((await api.get('/metrics', 'metrics-token-0123456789')).status, 200);
});

test('facade calls over HTTP are counted per transport and per calling route', async (t) => {
  const [notesNode, tallyNode] = await bootSplit(t, 'sqlite', [['notes'], ['tally']], { modules: [notesModule, tallyModule] });
  const remote = (tallyNode!.app.modules[0]!.container.cradle as { notesFacade: Facade<typeof notesContract> }).notesFacade;
  await remote.notesByIds({ ids: [] });
  const caller = (await tallyNode!.get('/metrics', null)).text;
  t.is(
    metric(caller, 'seams_facade_calls_total', 'module="notes",method="notesByIds",transport="http",outcome="ok",route="background"'),
    1,
  );
  const server = (await notesNode!.get('/metrics', null)).text;
  t.is(
    metric(
      server,
      'seams_facade_calls_total',
      'module="notes",method="notesByIds",transport="local",outcome="ok",route="POST /internal/notes/notesByIds"',
    ),
    1,
  );
});
