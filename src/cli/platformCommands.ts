/** The host's own commands: migrations, tokens, database roles. Events are in eventCommands.ts. */
import { DomainError, ROLES, UsageError, type CommandSpec, type Role } from '../kernel/index.ts';
import { publisherDirectory, publisherKeeper } from '../platform/auth/publisherStatuses.ts';
import { makeTokenService } from '../platform/auth/tokens.ts';
import { grantLogins } from '../platform/database/postgresRoles.ts';
import { systemClock } from '../platform/logger.ts';
import { peersOf, tokenChangeSubscribers } from '../platform/auth/tokenPeers.ts';
import { makeOutbox } from '../platform/events/outbox.ts';
import { CommandFailure } from './failures.ts';
import type { CliSession } from './session.ts';

export function platformCommands(session: CliSession): CommandSpec[] {
  return [
    {
      name: 'migrate',
      summary: 'Create the databases if they do not exist and run every pending migration (the server does it at start-up too)',
      async run(_input, io) {
        const local = await session.localModules();
        await session.databases(['platform', ...local.map((m) => m.name)], { create: true });
        io.out.write('migrations are current\n');
        return 0;
      },
    },
    {
      name: 'tokens create',
      summary: 'Create an API token and print it (its secret is shown only now)',
      options: [
        { name: 'role', value: 'role', description: 'what the token may do', required: true, choices: ROLES },
        { name: 'publisher', value: 'id', description: 'the publisher a publisher token is bound to (with --role publisher only)' },
        { name: 'name', value: 'text', description: 'a label shown when tokens are listed' },
      ],
      async run({ options }, io) {
        const role = options.role as Role;
        const publisherId = options.publisher ?? null;
        if (role === 'publisher' && publisherId === null)
          throw new UsageError('--role publisher needs --publisher <id>, the publisher the token is bound to');
        if (role !== 'publisher' && publisherId !== null)
          throw new UsageError(`--publisher binds publisher tokens only; leave it out for --role ${role}`);
        const platform = (await session.databases(['platform'])).get('platform')!;
        // Publisher tokens name a publisher: the module that keeps publishers (local or remote) says whether it exists, and its status.
        const keeper = publisherId === null ? null : publisherKeeper(await session.modules());
        const facade = keeper && (await session.facade(keeper.module.name));
        const directory = keeper && facade ? publisherDirectory(keeper.source, facade) : null;
        // The server's dispatcher sends the new token from the platform outbox to the other processes.
        const peers = tokenChangeSubscribers(peersOf(session.config()));
        const tokens = makeTokenService({
          db: platform,
          clock: systemClock,
          bootstrapToken: null,
          outbox: makeOutbox({ module: 'platform', subscribers: peers, clock: systemClock, onCommit: () => undefined }),
          ...(directory && { publisherStatus: directory.status }),
        });
        const token = await tokens.create({ role, publisherId, name: options.name ?? null }).catch((error: unknown) => {
          if (error instanceof DomainError && error.code === 'AUTH.PUBLISHER_UNKNOWN')
            throw new CommandFailure(`--publisher ${publisherId}: no such publisher`);
          throw error;
        });
        io.err.write(`created ${token.role} token ${token.id}; the secret is shown only now:\n`);
        io.out.write(`${token.token}\n`);
        return 0;
      },
    },
    {
      name: 'db roles',
      summary: "PostgreSQL: give each module's role a login on its database's server; prints the DATABASE_URL_<NAME> lines to configure",
      async run(_input, io) {
        const config = session.config();
        if (config.databaseUrl === null)
          throw new CommandFailure('db roles needs DATABASE_URL (PostgreSQL): on SQLite each module has its own file already');
        const local = await session.localModules();
        const { lines, ownLogins } = await grantLogins(config, ['platform', ...local.map((m) => m.name)]);
        for (const name of ownLogins)
          io.err.write(`${name} connects as its own role already (DATABASE_URL_${name.toUpperCase()}): left as it is\n`);
        if (lines.length === 0) return 0;
        io.err.write('each module connects as its own role with these settings (the passwords are shown only now):\n');
        io.out.write(`${lines.join('\n')}\n`);
        return 0;
      },
    },
  ];
}
