/** Configuration from environment variables, validated once at start. */
import net from 'node:net';
import path from 'node:path';

export interface Config {
  port: number;
  /** The address to listen on (HOST); null = every interface, IPv4 and IPv6. */
  host: string | null;
  dataDir: string;
  databaseUrl: string | null;
  /**
   * DATABASE_URL_<NAME>: the database of a module (or of the platform store), wherever it is: another
   * server, or its own login on DATABASE_URL's. Its schema is provisioned and migrated through it.
   */
  moduleDatabaseUrls: Record<string, string>;
  bootstrapToken: string | null;
  /** Modules this process runs; null = every module in the list. */
  modules: string[] | null;
  remotes: Record<string, string>;
  /**
   * SEAMS_PEERS: base URLs of other processes of this deployment that SEAMS_REMOTE_* does not name
   * (each keeps its own replica of the tokens; see platform/auth/tokenPeers.ts).
   */
  peers: string[];
  serviceToken: string | null;
  metricsToken: string | null;
  smtpUrl: string | null;
  alertEmail: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Connections per module pool (PostgreSQL). */
  poolMax: number;
  /** After SIGTERM: how long /ready answers 503 while requests are still served, before the listener closes. */
  shutdownDrainMs: number;
  /** RabbitMQ for events (amqp:// or amqps://); null = in-process and HTTP delivery. */
  brokerUrl: string | null;
  /** Prefix of the broker's exchange and queue names (`<prefix>.events`, `<prefix>.<module>`). */
  brokerPrefix: string;
  /**
   * SEAMS_TRUST_PROXY: how many proxies (load balancers) stand in front and append to X-Forwarded-For;
   * 0 = none, the socket's address is the client's.
   */
  trustProxy: number;
  /** Every SEAMS_* variable as given: modules' own settings are read from them (platform/moduleSettings.ts). */
  seamsEnv: Readonly<Record<string, string>>;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const text = (name: string) => (env[name]?.trim() ? env[name]!.trim() : null);
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const secret = (name: string) => {
    const value = text(name);
    if (value !== null && value.length < 16) problems.push(`${name} must be at least 16 characters`);
    return value;
  };

  const host = text('HOST');
  if (host !== null && net.isIP(host) === 0 && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(host)) {
    problems.push(`HOST must be an IP address or a host name (e.g. 127.0.0.1 for this machine only), got "${host}"`);
  }
  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite databases)');
  }
  const logLevel = (text('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const moduleDatabaseUrls: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^DATABASE_URL_([A-Z0-9]+)$/.exec(name);
    if (!match || !value) continue;
    if (!/^postgres(ql)?:\/\//.test(value)) problems.push(`${name} must be a postgres:// URL`);
    moduleDatabaseUrls[match[1]!.toLowerCase()] = value;
  }
  if (Object.keys(moduleDatabaseUrls).length > 0 && databaseUrl === null) {
    problems.push('DATABASE_URL_<NAME> needs DATABASE_URL too (the database of the platform store and of modules without their own URL)');
  }

  const modules =
    text('SEAMS_MODULES')
      ?.split(',')
      .map((m) => m.trim())
      .filter(Boolean) ?? null;
  const remotes: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^SEAMS_REMOTE_([A-Z0-9]+)$/.exec(name);
    if (!match || !value) continue;
    if (!/^https?:\/\/[^\s]+$/.test(value)) problems.push(`${name} must be an http(s) base URL`);
    remotes[match[1]!.toLowerCase()] = value.replace(/\/+$/, '');
  }
  const peers = (text('SEAMS_PEERS') ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  for (const url of peers) {
    if (!/^https?:\/\/[^\s,]+$/.test(url)) problems.push(`SEAMS_PEERS must be comma-separated http(s) base URLs, got "${url}"`);
  }
  const smtpUrl = text('SMTP_URL');
  const alertEmail = text('SEAMS_ALERT_EMAIL');
  if ((smtpUrl === null) !== (alertEmail === null)) problems.push('SMTP_URL and SEAMS_ALERT_EMAIL go together: set both or neither');

  const brokerUrl = text('SEAMS_BROKER_URL');
  if (brokerUrl !== null && !/^amqps?:\/\/[^\s]+$/.test(brokerUrl)) problems.push('SEAMS_BROKER_URL must be an amqp:// or amqps:// URL');
  const brokerPrefix = text('SEAMS_BROKER_PREFIX') ?? 'seams';
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(brokerPrefix))
    problems.push('SEAMS_BROKER_PREFIX must be 1-64 lowercase letters, digits, "_" or "-"');

  const config: Config = {
    port: integer('PORT', 3000, 0, 65535),
    host,
    dataDir: path.resolve(text('SEAMS_DATA_DIR') ?? './data'),
    databaseUrl,
    moduleDatabaseUrls,
    bootstrapToken: secret('SEAMS_BOOTSTRAP_TOKEN'),
    modules,
    remotes,
    peers: [...new Set(peers.map((url) => url.replace(/\/+$/, '')))],
    serviceToken: secret('SEAMS_SERVICE_TOKEN'),
    metricsToken: secret('SEAMS_METRICS_TOKEN'),
    smtpUrl,
    alertEmail,
    logLevel,
    poolMax: integer('SEAMS_DB_POOL_MAX', 10, 1, 100),
    shutdownDrainMs: integer('SEAMS_SHUTDOWN_DRAIN_MS', 2_000, 0, 25_000),
    brokerUrl,
    brokerPrefix,
    trustProxy: integer('SEAMS_TRUST_PROXY', 0, 0, 10),
    seamsEnv: Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('SEAMS_') && entry[1] !== undefined),
    ),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
