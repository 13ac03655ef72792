import fs from 'node:fs';
import test from 'ava';
import { tempDir } from '../helpers/databases.ts';
import { cli } from './cliProcess.ts';

// None of these opens a database: a data directory that does not exist stays so.
const env = (t: Parameters<typeof tempDir>[0]) => ({ SEAMS_DATA_DIR: `${tempDir(t)}/absent` });

test('help, --help and -h print every command on stdout, each line within 80 columns, and exit 0', async (t) => {
  for (const args of [['help'], ['--help'], ['-h']]) {
    const run = await cli(args, env(t));
    t.is(run.code, 0, args.join(' '));
    t.is(run.stderr, '');
    for (const command of [
      'migrate',
      'tokens create --role <role>',
      'db roles',
      'events list',
      'events retry',
      'events broker list',
      'events broker retry',
      'import deliveries <file>',
      'invoices run --period <YYYY-MM>',
      'billing accounts sync',
    ]) {
      t.true(run.stdout.includes(`\n  ${command}`), `${args.join(' ')} lists ${command}`);
    }
    const wide = run.stdout.split('\n').filter((line) => line.length > 80);
    t.deepEqual(wide, [], 'no line overflows a terminal of 80 columns');
  }
});

test('each command has its own help, by --help or by help <command>, naming its options and their choices', async (t) => {
  for (const args of [
    ['tokens', 'create', '--help'],
    ['help', 'tokens', 'create'],
    ['tokens', 'help', 'create'],
  ]) {
    const run = await cli(args, env(t));
    t.is(run.code, 0, args.join(' '));
    t.regex(run.stdout, /^Usage: npm run cli -- tokens create --role <role> \[options\]/);
    t.regex(run.stdout, /--role <role>\s+what the token may do \(required\) \(choices: "admin", "ops",\s+"finance", "publisher"\)/);
    t.regex(run.stdout, /--publisher <id>/);
  }
  const imports = await cli(['import', 'deliveries', '--help'], env(t));
  t.is(imports.code, 0);
  t.regex(imports.stdout, /file\s+RFC 4180 CSV with the columns\s+ad_unit_id,date,impressions,clicks,revenue_micros \(any order\)/);
});

test('--version prints the version of package.json and exits 0', async (t) => {
  const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  for (const args of [['--version'], ['-V']]) {
    const run = await cli(args, env(t));
    t.deepEqual(run, { code: 0, stdout: `${version}\n`, stderr: '' });
  }
});

test('no command, or a group without its command, shows the usage on stderr and exits 2', async (t) => {
  const none = await cli([], env(t));
  t.is(none.code, 2);
  t.is(none.stdout, '');
  t.regex(none.stderr, /^Usage: npm run cli -- /);
  const group = await cli(['events', 'broker'], env(t));
  t.is(group.code, 2);
  t.regex(group.stderr, /events broker list \[options\]/);
});

test('an unknown command or option is named, with a suggestion, and exits 2 without dumping the usage', async (t) => {
  const command = await cli(['tokns', 'create'], env(t));
  t.is(command.code, 2);
  t.is(command.stdout, '');
  t.is(command.stderr, "error: unknown command 'tokns'\n(Did you mean tokens?)\n(npm run cli -- help lists the commands)\n");
  const sub = await cli(['events', 'retyr', 'all'], env(t));
  t.is(sub.code, 2);
  t.regex(sub.stderr, /^error: unknown command 'retyr'\n\(Did you mean retry\?\)/);
  const option = await cli(['tokens', 'create', '--role', 'admin', '--nam', 'me'], env(t));
  t.is(option.code, 2);
  t.regex(
    option.stderr,
    /^error: unknown option '--nam'\n\(Did you mean --name\?\)\n\(npm run cli -- tokens create --help shows its usage\)\n$/,
  );
});

test('a usage error names the flag to use and exits 2, before anything is opened', async (t) => {
  const cases: [string[], RegExp][] = [
    [['tokens', 'create'], /^error: required option '--role <role>' not specified$/m],
    [
      ['tokens', 'create', '--role', 'root'],
      /^error: option '--role <role>' argument 'root' is invalid\. Allowed choices are admin, ops, finance, publisher\.$/m,
    ],
    [['tokens', 'create', '--role', 'publisher'], /^error: --role publisher needs --publisher <id>, the publisher the token is bound to$/m],
    [
      ['tokens', 'create', '--role', 'ops', '--publisher', 'pub_1'],
      /^error: --publisher binds publisher tokens only; leave it out for --role ops$/m,
    ],
    [
      ['invoices', 'run', '--period', '2026-13'],
      /^error: option '--period <YYYY-MM>' argument '2026-13' is invalid\. Must be a month, YYYY-MM\.$/m,
    ],
    [
      ['events', 'list', '--status', 'gone'],
      /^error: option '--status <status>' argument 'gone' is invalid\. Allowed choices are pending, dead, in_flight\.$/m,
    ],
    [['events', 'retry'], /^error: missing required argument 'event'$/m],
    [['import', 'deliveries', 'a.csv', 'b.csv'], /^error: too many arguments for 'deliveries'/m],
  ];
  for (const [args, message] of cases) {
    const settings = env(t);
    const run = await cli(args, settings);
    t.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    t.regex(run.stderr, message);
    t.is(run.stdout, '');
    t.false(fs.existsSync(settings.SEAMS_DATA_DIR), 'nothing was opened or created');
  }
});
