/** `npm run cli -- <command>`: operator commands over the same app the server runs. */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createApp, type App, type AppOptions } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { ROLES, type CommandIO, type CommandSpec, type Role } from './kernel/index.ts';
import { grantLogins } from './platform/database.ts';
import { peekDeadLetters, queueDepths, requeueDeadLetters, withBrokerConnection } from './platform/events/brokerQueues.ts';
import { eventCounts, listEvents, retryDead } from './platform/events/operator.ts';
import { createLogger } from './platform/logger.ts';
import { makeProgress } from './platform/progress.ts';

const io: CommandIO = {
  out: process.stdout,
  err: process.stderr,
  // Progress goes to stderr so stdout stays clean for results.
  progress: (label, unit, total) => makeProgress(process.stderr, label, unit, total),
};

function platformCommands(app: App): CommandSpec[] {
  const moduleDb = (name: string | undefined) => {
    const names = name ? [name] : app.modules.map((m) => m.definition.name);
    for (const n of names) if (!app.databases.has(n) || n === 'platform') throw new Error(`unknown module ${n}`);
    return names.map((n) => [n, app.databases.get(n)!] as const);
  };
  // The broker's queues of the modules this process consumes for (those with subscriptions).
  const brokerModules = (name: string | undefined) => {
    const url = app.config.brokerUrl;
    if (url === null) throw new Error('SEAMS_BROKER_URL is not set: events do not go through a broker');
    const consuming = app.modules.filter((m) => (m.definition.subscriptions ?? []).length > 0).map((m) => m.definition.name);
    if (name !== undefined && !consuming.includes(name)) throw new Error(`module ${name} has no broker queue here (consuming: ${consuming.join(', ')})`);
    return { url, prefix: app.config.brokerPrefix, modules: name === undefined ? consuming : [name] };
  };
  return [
    {
      name: 'migrate',
      usage: 'migrate',
      summary: 'Run every pending migration (also done at start-up)',
      run: async () => (io.out.write('migrations are current\n'), 0),
    },
    {
      name: 'tokens create',
      usage: 'tokens create --role admin|ops|finance|publisher [--publisher ID] [--name NAME]',
      summary: 'Create an API token and print it (shown only once)',
      async run(args) {
        const { values } = parseArgs({ args, options: { role: { type: 'string' }, publisher: { type: 'string' }, name: { type: 'string' } } });
        if (!ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
        const token = await app.tokens.create({ role: values.role as Role, publisherId: values.publisher ?? null, name: values.name ?? null });
        io.err.write(`created ${token.role} token ${token.id}; the secret is shown only now:\n`);
        io.out.write(`${token.token}\n`);
        return 0;
      },
    },
    {
      name: 'db roles',
      usage: 'db roles',
      summary: "PostgreSQL: give each module's role a login; prints the DATABASE_URL_<NAME> lines",
      async run() {
        if (app.config.databaseUrl === null) throw new Error('db roles needs DATABASE_URL (PostgreSQL)');
        const lines = await grantLogins(app.config.databaseUrl, [...app.databases.keys()]);
        io.err.write('each module connects as its own role with these settings (the passwords are shown only now):\n');
        io.out.write(`${lines.join('\n')}\n`);
        return 0;
      },
    },
    {
      name: 'events list',
      usage: 'events list [--module NAME] [--status pending|dead|in_flight]',
      summary: 'Counts per module, then the events in the given state',
      async run(args) {
        const { values } = parseArgs({ args, options: { module: { type: 'string' }, status: { type: 'string', default: 'dead' } } });
        const status = values.status as 'pending' | 'dead' | 'in_flight';
        if (!['pending', 'dead', 'in_flight'].includes(status)) throw new Error('--status must be pending, dead or in_flight');
        for (const [name, db] of moduleDb(values.module)) {
          const counts = await eventCounts(db);
          io.out.write(`${name}: ${counts.pending} pending, ${counts.inFlight} in flight, ${counts.dead} dead\n`);
          for (const e of await listEvents(db, status)) {
            io.out.write(`  ${e.eventId} ${e.name} → ${e.subscriber} aggregate=${e.aggregateId} attempts=${e.attempts}` +
              `${e.lastError ? ` error=${JSON.stringify(e.lastError)}` : ''}\n`);
          }
        }
        return 0;
      },
    },
    {
      name: 'events retry',
      usage: 'events retry EVENT_ID|all [--module NAME]',
      summary: 'Put dead-lettered events back in line for delivery',
      async run(args) {
        const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { module: { type: 'string' } } });
        const target = positionals[0];
        if (!target) throw new Error('name the event id to retry, or all');
        let total = 0;
        for (const [, db] of moduleDb(values.module)) total += await retryDead(db, target, new Date());
        io.out.write(`${total} dead-lettered deliveries put back in line\n`);
        return total > 0 ? 0 : 1;
      },
    },
    {
      name: 'events broker list',
      usage: 'events broker list [--module NAME] [--limit N]',
      summary: "RabbitMQ: messages waiting per module's queue, then its dead letters",
      async run(args) {
        const { values } = parseArgs({ args, options: { module: { type: 'string' }, limit: { type: 'string', default: '100' } } });
        const limit = Number(values.limit);
        if (!Number.isInteger(limit) || limit < 0) throw new Error('--limit must be a whole number');
        const { url, prefix, modules } = brokerModules(values.module);
        await withBrokerConnection(url, async (connection) => {
          for (const { module, queued, dead } of await queueDepths(connection, prefix, modules)) {
            io.out.write(`${module}: ${queued} queued in ${prefix}.${module}, ${dead} dead in ${prefix}.${module}.dead\n`);
            for (const d of await peekDeadLetters(connection, prefix, module, limit)) {
              io.out.write(`  ${d.eventId} ${d.name} → ${d.subscriber} aggregate=${d.aggregateId} ${d.reason} ×${d.deaths}\n`);
            }
          }
        });
        return 0;
      },
    },
    {
      name: 'events broker retry',
      usage: 'events broker retry EVENT_ID|all [--module NAME]',
      summary: "RabbitMQ: move dead letters back into their module's queue",
      async run(args) {
        const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { module: { type: 'string' } } });
        const target = positionals[0];
        if (!target) throw new Error('name the event id to retry, or all');
        const { url, prefix, modules } = brokerModules(values.module);
        let moved = 0;
        await withBrokerConnection(url, async (connection) => {
          for (const module of modules) moved += await requeueDeadLetters(connection, prefix, module, target);
        });
        io.out.write(`${moved} dead letters moved back to their queues\n`);
        return moved > 0 ? 0 : 1;
      },
    },
  ];
}

function usage(commands: CommandSpec[]): string {
  return `usage: npm run cli -- <command>\n\n${commands.map((c) => `  ${c.usage.padEnd(72)} ${c.summary}`).join('\n')}\n`;
}

/** Runs one command; `options` lets a test or tool run the CLI over another module list. */
export async function runCli(argv: string[], options: AppOptions = {}): Promise<number> {
  const config = loadConfig();
  const log = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const app = await createApp(config, { log, ...options });
  try {
    const commands = [...platformCommands(app), ...app.modules.flatMap((m) => m.definition.commands?.(m.container.cradle) ?? [])];
    const command = commands
      .filter((c) => argv.slice(0, c.name.split(' ').length).join(' ') === c.name)
      .sort((a, b) => b.name.length - a.name.length)[0];
    if (!command) {
      io.err.write(usage(commands));
      return argv.length === 0 || argv[0] === 'help' ? 0 : 2;
    }
    return await command.run(argv.slice(command.name.split(' ').length), io);
  } finally {
    await app.close();
  }
}

export function exitWith(result: Promise<number>): void {
  result.then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`seams: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof ConfigError ? 1 : 2);
    },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) exitWith(runCli(process.argv.slice(2)));
