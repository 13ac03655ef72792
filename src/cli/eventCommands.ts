/** Operators' view of events: each module's outbox, and the broker's queues when there is one. */
import { UsageError, type CommandOption, type CommandSpec } from '../kernel/index.ts';
import { deliveryStatuses, eventCounts, listEvents, retryDead } from '../platform/events/operator.ts';
import { CommandFailure } from './failures.ts';
import type { CliSession } from './session.ts';

const MODULE: CommandOption = { name: 'module', value: 'name', description: 'one module only (default: every module this process runs)' };
const EVENT = { name: 'event', description: 'an event id (evt_…), or all' };
const wholeNumber = (value: string) => (/^\d+$/.test(value) ? null : 'must be a whole number');

export function eventCommands(session: CliSession): CommandSpec[] {
  /** The outbox databases of the local modules, or of the one named by --module. */
  async function outboxes(module: string | undefined) {
    const local = (await session.localModules()).map((m) => m.name);
    if (module !== undefined && !local.includes(module))
      throw new UsageError(`--module must be one of the modules run here: ${local.join(', ')}`);
    const names = module === undefined ? local : [module];
    const opened = await session.databases(names);
    return names.map((name) => [name, opened.get(name)!] as const);
  }

  // The broker's queues of the modules this process consumes for (those with subscriptions).
  async function brokerQueues(module: string | undefined) {
    const { brokerUrl, brokerPrefix } = session.config();
    if (brokerUrl === null) throw new CommandFailure('SEAMS_BROKER_URL is not set: events do not go through a broker');
    const consuming = (await session.localModules()).filter((m) => (m.subscriptions ?? []).length > 0).map((m) => m.name);
    if (module !== undefined && !consuming.includes(module))
      throw new UsageError(`--module must be a module with a broker queue here: ${consuming.join(', ')}`);
    return { url: brokerUrl, prefix: brokerPrefix, modules: module === undefined ? consuming : [module] };
  }

  return [
    {
      name: 'events list',
      summary: "Each module's pending, in-flight and dead-lettered counts, then the events in one state",
      options: [
        MODULE,
        {
          name: 'status',
          value: 'status',
          description: 'which events to list',
          choices: ['pending', 'dead', 'in_flight'],
          default: 'dead',
        },
      ],
      async run({ options }, io) {
        for (const [name, db] of await outboxes(options.module)) {
          const counts = await eventCounts(db);
          io.out.write(`${name}: ${counts.pending} pending, ${counts.inFlight} in flight, ${counts.dead} dead\n`);
          for (const e of await listEvents(db, options.status as 'pending' | 'dead' | 'in_flight')) {
            io.out.write(
              `  ${e.eventId} ${e.name} → ${e.subscriber} aggregate=${e.aggregateId} attempts=${e.attempts}` +
                `${e.lastError ? ` error=${JSON.stringify(e.lastError)}` : ''}\n`,
            );
          }
        }
        return 0;
      },
    },
    {
      name: 'events retry',
      summary: 'Put dead-lettered events back in line for delivery',
      arguments: [EVENT],
      options: [MODULE],
      async run({ args, options }, io) {
        const target = args.event!;
        const outboxList = await outboxes(options.module);
        if (target !== 'all') {
          const statuses = (await Promise.all(outboxList.map(([, db]) => deliveryStatuses(db, target)))).flat();
          if (statuses.length === 0)
            throw new CommandFailure(`no event ${target} in the outbox of ${outboxList.map(([name]) => name).join(', ')}`);
          if (!statuses.includes('dead'))
            throw new CommandFailure(`event ${target} is not dead-lettered (${[...new Set(statuses)].join(', ')}): nothing to retry`);
        }
        let total = 0;
        for (const [, db] of outboxList) total += await retryDead(db, target, new Date());
        io.out.write(`${total} dead-lettered deliveries put back in line\n`);
        return 0;
      },
    },
    {
      name: 'events broker list',
      summary: "RabbitMQ: messages waiting in each module's queue, then its dead letters",
      options: [MODULE, { name: 'limit', value: 'n', description: 'dead letters shown per module', default: '100', check: wholeNumber }],
      async run({ options }, io) {
        const { url, prefix, modules } = await brokerQueues(options.module);
        const { peekDeadLetters, queueDepths, withBrokerConnection } = await import('../platform/events/brokerQueues.ts');
        await withBrokerConnection(url, async (connection) => {
          for (const { module, queued, dead } of await queueDepths(connection, prefix, modules)) {
            io.out.write(`${module}: ${queued} queued in ${prefix}.${module}, ${dead} dead in ${prefix}.${module}.dead\n`);
            for (const d of await peekDeadLetters(connection, prefix, module, Number(options.limit))) {
              io.out.write(`  ${d.eventId} ${d.name} → ${d.subscriber} aggregate=${d.aggregateId} ${d.reason} ×${d.deaths}\n`);
            }
          }
        });
        return 0;
      },
    },
    {
      name: 'events broker retry',
      summary: "RabbitMQ: move dead letters back into their module's queue",
      arguments: [EVENT],
      options: [MODULE],
      async run({ args, options }, io) {
        const target = args.event!;
        const { url, prefix, modules } = await brokerQueues(options.module);
        const { requeueDeadLetters, withBrokerConnection } = await import('../platform/events/brokerQueues.ts');
        let moved = 0;
        await withBrokerConnection(url, async (connection) => {
          for (const module of modules) moved += await requeueDeadLetters(connection, prefix, module, target);
        });
        if (moved === 0 && target !== 'all')
          throw new CommandFailure(`no dead letter ${target} in ${modules.map((m) => `${prefix}.${m}.dead`).join(', ')}`);
        io.out.write(`${moved} dead letters moved back to their queues\n`);
        return 0;
      },
    },
  ];
}
