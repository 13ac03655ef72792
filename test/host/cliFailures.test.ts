import fs from 'node:fs';
import test from 'ava';
import { tempDir } from '../helpers/databases.ts';
import { cli } from './cliProcess.ts';

test('a failure is one line on stderr with exit 1: a file that cannot be read, a setting missing or wrong; nothing is opened', async (t) => {
  const dataDir = tempDir(t);
  const settings = { SEAMS_DATA_DIR: dataDir };
  t.deepEqual(await cli(['import', 'deliveries', '/nope.csv'], settings), {
    code: 1,
    stdout: '',
    stderr: 'error: cannot read /nope.csv: no such file\n',
  });
  t.deepEqual(await cli(['import', 'deliveries', dataDir], settings), {
    code: 1,
    stdout: '',
    stderr: `error: cannot read ${dataDir}: it is a directory\n`,
  });
  t.deepEqual(await cli(['db', 'roles'], settings), {
    code: 1,
    stdout: '',
    stderr: 'error: db roles needs DATABASE_URL (PostgreSQL): on SQLite each module has its own file already\n',
  });
  const config = await cli(['tokens', 'create', '--role', 'admin'], { ...settings, DATABASE_URL: 'mysql://db/seams' });
  t.is(config.code, 1);
  t.regex(config.stderr, /^error: invalid configuration:\n {2}- DATABASE_URL must be a postgres:\/\/ URL/);
  t.deepEqual(fs.readdirSync(dataDir), [], 'no database was opened');
});

test('an unexpected failure is its message without a stack trace, unless LOG_LEVEL=debug asks for one', async (t) => {
  // Nothing listens on port 9: the connection is refused at once.
  const unreachable = { SEAMS_DATA_DIR: tempDir(t), DATABASE_URL: 'postgres://postgres@127.0.0.1:9/seams' };
  const quiet = await cli(['tokens', 'create', '--role', 'admin'], unreachable);
  t.deepEqual(quiet, {
    code: 1,
    stdout: '',
    stderr: 'database: PostgreSQL postgres://postgres@127.0.0.1:9/seams (DATABASE_URL)\nerror: connect ECONNREFUSED 127.0.0.1:9\n',
  });
  const debug = await cli(['tokens', 'create', '--role', 'admin'], { ...unreachable, LOG_LEVEL: 'debug' });
  t.is(debug.code, 1);
  t.is(debug.stdout, '');
  t.regex(debug.stderr, /^error: connect ECONNREFUSED 127\.0\.0\.1:9\nError: connect ECONNREFUSED 127\.0\.0\.1:9\n\s+at /m);
});
