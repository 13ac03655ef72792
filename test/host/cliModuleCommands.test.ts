import test, { type ExecutionContext } from 'ava';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { tempDir } from '../helpers/databases.ts';
import { cli } from './cliProcess.ts';

/** A publisher registered by a server that never dispatched: its PublisherRegistered event waits in the outbox. */
async function undeliveredPublisher(t: ExecutionContext) {
  const settings = { SEAMS_DATA_DIR: tempDir(t) };
  const app = await createApp(loadConfig({ ...settings, LOG_LEVEL: 'silent' }));
  const cradle = app.modules.find((m) => m.definition.name === 'operations')!.container.cradle as any;
  const publisher = await cradle.publishers.register({ name: 'Pixel Forge', contactEmail: 'money@pixelforge.example', country: 'FI' });
  const [event] = await app.databases.get('operations')!.knex('outbox').select('event_id');
  await app.close();
  return { settings, publisherId: publisher.id as string, eventId: event.event_id as string };
}

test('events retry says when an event is not in any outbox or not dead-lettered, and exits 1', async (t) => {
  const { settings, eventId } = await undeliveredPublisher(t);
  const nope = await cli(['events', 'retry', 'evt_nope'], settings);
  t.is(nope.code, 1);
  t.is(nope.stdout, '');
  t.regex(nope.stderr, /^error: no event evt_nope in the outbox of operations, billing\n$/m);
  const waiting = await cli(['events', 'retry', eventId], settings);
  t.is(waiting.code, 1);
  t.regex(waiting.stderr, new RegExp(`^error: event ${eventId} is not dead-lettered \\(pending\\): nothing to retry\\n$`, 'm'));
  t.deepEqual(await cli(['events', 'retry', 'all'], settings), {
    code: 0,
    stdout: '0 dead-lettered deliveries put back in line\n',
    stderr: `database: SQLite files in ${settings.SEAMS_DATA_DIR} (SEAMS_DATA_DIR)\n`,
  });
  const list = await cli(['events', 'list', '--status', 'pending'], settings);
  t.is(list.code, 0);
  t.regex(
    list.stdout,
    new RegExp(`^operations: 1 pending, 0 in flight, 0 dead\\n  ${eventId} operations.PublisherRegistered → billing\\.`),
  );
});

test('billing accounts sync runs from the CLI: it opens the account of a publisher whose event Billing never got', async (t) => {
  const { settings } = await undeliveredPublisher(t);
  const sync = await cli(['billing', 'accounts', 'sync'], settings);
  t.is(sync.code, 0, sync.stderr);
  t.is(sync.stdout, '1\n');
  t.regex(sync.stderr, /billing accounts sync done: 1 active publishers, 1 billing accounts opened/);
  t.is((await cli(['billing', 'accounts', 'sync'], settings)).stdout, '0\n');
});
