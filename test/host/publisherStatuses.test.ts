/**
 * The platform finds the module that keeps publishers by what its definition declares
 * (`publisherStatuses`), never by its name, and follows only changes of status.
 */
import test from 'ava';
import { defineEvent, defineModule, Strict, StringEnum, Type, type EventEnvelope } from '../../src/kernel/index.ts';
import { followedStatuses, platformHandlers, publisherDirectory, publisherKeeper } from '../../src/platform/auth/publisherStatuses.ts';
import type { TokenReplication } from '../../src/platform/auth/tokenReplication.ts';

const MemberChanged = defineEvent({
  name: 'people.MemberChanged',
  version: 1,
  description: 'A member changed.',
  payload: Strict({
    memberId: Type.String(),
    status: StringEnum(['active', 'suspended']),
    version: Type.Integer(),
    statusChanged: Type.Boolean(),
  }),
  aggregateId: (p) => p.memberId,
});

const bare = (name: string) => defineModule({ name, migrations: '/nowhere', register: () => {} });
const people = defineModule({
  ...bare('people'),
  publisherStatuses: {
    event: MemberChanged,
    statusSet: (p: { memberId: string; status: 'active' | 'suspended'; version: number; statusChanged: boolean }) =>
      p.statusChanged ? { publisherId: p.memberId, status: p.status, version: p.version } : null,
    read: async (facade: { suspended: string[] }, ids: string[]) =>
      ids.map((id) => ({ publisherId: id, status: facade.suspended.includes(id) ? ('suspended' as const) : ('active' as const) })),
  },
});

test('the module keeping publishers is the one whose definition declares their statuses, whatever its name', (t) => {
  t.is(publisherKeeper([bare('shop'), people])?.module.name, 'people');
  t.is(publisherKeeper([bare('shop'), bare('operations')]), null);
  t.deepEqual(followedStatuses(publisherKeeper([people])), [{ event: MemberChanged, handler: 'followPublisherStatus' }]);
  t.deepEqual(followedStatuses(null), []);
});

test("the platform's handler replicates a change of status and ignores other changes", async (t) => {
  const followed: unknown[] = [];
  const replication = { followPublisher: async (record: unknown) => void followed.push(record) } as unknown as TokenReplication;
  const follow = platformHandlers(replication, publisherKeeper([people])).get('platform.followPublisherStatus')!;
  const event = (statusChanged: boolean, version: number): EventEnvelope => ({
    id: `evt_${version}`,
    name: MemberChanged.name,
    version: 1,
    aggregateId: 'm1',
    occurredAt: new Date(0).toISOString(),
    payload: { memberId: 'm1', status: 'suspended', version, statusChanged },
  });
  await follow(event(false, 1));
  await follow(event(true, 2));
  t.deepEqual(followed, [{ publisherId: 'm1', status: 'suspended', version: 2 }]);
  t.is(platformHandlers(replication, null).size, 0);
});

test("a publisher's status is read through the keeper's facade; an unknown publisher reads as null", async (t) => {
  const directory = publisherDirectory(people.publisherStatuses!, { suspended: ['m2'] });
  t.is(await directory.status('m2'), 'suspended');
  t.deepEqual(await directory.statuses(['m1', 'm2']), [
    { publisherId: 'm1', status: 'active' },
    { publisherId: 'm2', status: 'suspended' },
  ]);
  const nobody = publisherDirectory({ ...people.publisherStatuses!, read: async () => [] }, {});
  t.is(await nobody.status('m9'), null);
});
