/**
 * The settings of a module run as its own service, and of the processes that run the rest: each
 * process with stores of its own (its database, its platform store), the remotes it calls or sends
 * events to, and its peers for the tokens. Nothing is shared but the network, the service token and
 * the broker.
 */
import type { ModuleDefinition } from '../kernel/index.ts';

export interface Setting {
  setting: string;
  note?: string;
}

const BROKER_NOTE = 'not needed when SEAMS_BROKER_URL carries the events';

/** Why a process running `from` needs SEAMS_REMOTE_<TO>: it calls its facade, or hands it events (null: neither). */
function remoteReason(from: ModuleDefinition[], to: ModuleDefinition): string | null {
  if (from.some((m) => (m.uses ?? []).some((c) => c.module === to.name))) return `${from.map((m) => m.name).join(', ')} calls its facade`;
  const published = new Set(from.flatMap((m) => Object.values(m.provides?.events ?? {}).map((e) => e.name)));
  if ((to.subscriptions ?? []).some((s) => published.has(s.event.name))) return `it handles events published here; ${BROKER_NOTE}`;
  return null;
}

function remotes(local: ModuleDefinition[], others: ModuleDefinition[], where: (m: ModuleDefinition) => string): Setting[] {
  return others.flatMap((other) => {
    const reason = remoteReason(local, other);
    return reason === null ? [] : [{ setting: `SEAMS_REMOTE_${other.name.toUpperCase()}=<${where(other)}>`, note: reason }];
  });
}

export function extractionConfiguration(module: ModuleDefinition, all: ModuleDefinition[]): { service: Setting[]; rest: Setting[] } {
  const name = module.name;
  const others = all.filter((m) => m !== module);
  const upper = name.toUpperCase();
  const peers: Setting = {
    setting: 'SEAMS_PEERS=<base URLs of the other processes, comma-separated>',
    note: 'the processes no SEAMS_REMOTE_* names: a token created or revoked on any process reaches every one',
  };
  const broker: Setting = {
    setting: 'SEAMS_BROKER_URL=<amqp(s) URL of RabbitMQ>',
    note: 'optional, the same in every process: events wait in its queues',
  };
  return {
    service: [
      { setting: `SEAMS_MODULES=${name}` },
      {
        setting: `DATABASE_URL=<this service's own PostgreSQL database>`,
        note: `its platform store, and the data of ${name} unless DATABASE_URL_${upper} is set`,
      },
      {
        setting: `DATABASE_URL_${upper}=<the database of ${name}>`,
        note: `as printed by \`npm run cli -- modules move ${name} --to <url>\`, which copies its schema there`,
      },
      {
        setting: `SEAMS_DATA_DIR=<this service's own directory>`,
        note: `on SQLite, instead of the two above: the directory of ${name}.sqlite (\`modules move ${name} --to <dir>\` copies it there) and of its platform store`,
      },
      { setting: 'SEAMS_SERVICE_TOKEN=<one secret shared by every process>' },
      ...remotes([module], others, (m) => `base URL of the process running ${m.name}`),
      peers,
      broker,
    ],
    rest: [
      { setting: `SEAMS_MODULES=${others.map((m) => m.name).join(',')}` },
      {
        setting: 'DATABASE_URL=<their own database>',
        note: `or SEAMS_DATA_DIR=<their own directory> on SQLite; nothing shared with the ${name} service`,
      },
      { setting: 'SEAMS_SERVICE_TOKEN=<the same secret>' },
      ...remotes(others, [module], () => `base URL of the ${name} service`),
      peers,
      broker,
    ],
  };
}
