/**
 * `npm start` under a process manager: the signal a container runtime sends
 * to the npm process reaches the server, which drains and exits, leaving no
 * orphan; and HOST decides where it listens, as its banner says.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import test from 'ava';
import { spawnTs } from '../helpers/child.ts';
import { tempDir } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';

/** Processes whose parent is `pid` (Linux /proc), with their command lines. */
function childrenOf(pid: number): { pid: number; command: string }[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== pid) return [];
        return [{ pid: Number(name), command: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim() }];
      } catch {
        return []; // gone meanwhile
      }
    });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether something accepts TCP connections at host:port. */
const accepts = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} sent to the \`npm start\` process reaches the compiled server (no shell or loader in between): it drains, npm exits 0, the port closes, no orphan remains`, async (t) => {
    const npm = spawn('npm', ['start'], {
      env: { ...process.env, PORT: '0', SEAMS_DATA_DIR: tempDir(t), SEAMS_SHUTDOWN_DRAIN_MS: '300', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (d) => (output += d));
    npm.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    t.teardown(() => {
      // Whatever a failed run left behind, however deep (a shell, a wrapper, the server).
      const tree = (pid: number): number[] => [pid, ...childrenOf(pid).flatMap((c) => tree(c.pid))];
      for (const pid of tree(npm.pid!).reverse()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });

    await waitUntil(async () => /from this machine: http:\/\/127\.0\.0\.1:\d+/.test(output), 60_000, 'the banner').catch((error: Error) => {
      throw new Error(`${error.message}; npm start printed:\n${output}`);
    });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(output)![1]);
    t.regex(output, new RegExp(`seams listening on port ${port} of every interface`));
    t.is((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    // Without HOST it listens on every interface, as the banner says: another loopback address reaches it too.
    t.true(await accepts('127.0.0.2', port));

    const children = childrenOf(npm.pid!);
    t.is(children.length, 1, JSON.stringify(children));
    const [server] = children;
    t.regex(
      server!.command,
      /^\S*node --enable-source-maps dist\/src\/main\.js$/,
      'npm runs node itself on the compiled server: no shell, no TypeScript loader',
    );

    npm.kill(signal);
    t.is(await exited, 0, output);
    t.regex(output, new RegExp(`"signal":"${signal}".*shutting down`));
    t.regex(output, /"msg":"stopped"/);
    t.false(alive(server!.pid), 'the server process is gone with npm');
    t.false(await accepts('127.0.0.1', port), 'nothing listens on the port any more');
  });
}

test('HOST=127.0.0.1: the server listens on that address only, and its banner says so', async (t) => {
  const server = spawnTs('src/main.ts', [], { PORT: '0', HOST: '127.0.0.1', SEAMS_DATA_DIR: tempDir(t), SEAMS_SHUTDOWN_DRAIN_MS: '0' });
  t.teardown(() => server.process.kill('SIGKILL'));
  await server.waitFor('seams listening on');
  const port = Number(/seams listening on http:\/\/127\.0\.0\.1:(\d+) only \(HOST\)/.exec(server.output())?.[1]);
  t.true(port > 0, server.output());
  t.true(await accepts('127.0.0.1', port));
  t.false(await accepts('127.0.0.2', port), 'another address of this machine is refused');
  server.process.kill('SIGTERM');
  t.is((await server.exited).code, 0);
});

test('a HOST that is no address is refused at start', async (t) => {
  const server = spawnTs('src/main.ts', [], { PORT: '0', HOST: 'http://0.0.0.0:3000', SEAMS_DATA_DIR: tempDir(t) });
  t.is((await server.exited).code, 1);
  t.regex(server.output(), /HOST must be an IP address or a host name/);
});
