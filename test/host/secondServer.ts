/**
 * A second PostgreSQL server for the tests of modules on servers of their own: a throwaway cluster
 * (initdb in a temporary directory, trust authentication on 127.0.0.1 and a free port), started for
 * one test file and removed after it (or at the next start, when its test process was killed).
 * initdb refuses to run as root: there it runs as `postgres`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startSecondServer(): Promise<PostgresServer> {
  const bin = await postgresBin();
  const asRoot = process.getuid?.() === 0;
  const as = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]) : run(path.join(bin, command), args);
  await stopLeftovers(as);
  // Named after this process, so that a later run can tell a server whose test process is gone.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `seams-pg-${process.pid}-`));
  if (asRoot) fs.chownSync(dir, ...(await postgresIds()));
  const port = await freePort();
  const data = path.join(dir, 'data');
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  await as('pg_ctl', ['-D', data, '-o', settings, '-l', path.join(dir, 'log'), '-w', 'start']);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url,
    async createDatabase(name) {
      await run('psql', [url(), '-qc', `CREATE DATABASE ${name}`]);
      return url(name);
    },
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Servers of test processes that ended without their teardown (killed at a timeout): stopped and removed. */
async function stopLeftovers(as: (command: string, args: string[]) => Promise<unknown>): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(/^seams-pg-(\d+)-/.exec(name)?.[1]);
    if (!pid || alive(pid)) continue;
    const dir = path.join(os.tmpdir(), name);
    await as('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server binaries of the client tools' version (pg_dump must not be older than the server). */
async function postgresBin(): Promise<string> {
  const { stdout } = await run('pg_dump', ['--version']);
  const major = /(\d+)\.\d+/.exec(stdout)![1];
  const bin = `/usr/lib/postgresql/${major}/bin`;
  if (!fs.existsSync(path.join(bin, 'initdb')))
    throw new Error(`no PostgreSQL ${major} server binaries in ${bin} (Debian: apt-get install postgresql-${major})`);
  return bin;
}

async function postgresIds(): Promise<[number, number]> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return [Number(uid), Number(gid)];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
