import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { createApp } from '../../src/app.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { billingStubModule } from '../fixtures/modules/billingStub/index.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { dialects, tempDir, testConfig } from '../helpers/databases.ts';

const HEADER = 'ad_unit_id,date,impressions,clicks,revenue_micros';

async function prepare(t: Parameters<typeof testConfig>[0], dialect: (typeof dialects)[number]) {
  const config = await testConfig(t, dialect);
  const app = await createApp(config, { modules: [operationsModule, billingStubModule] });
  const c = app.modules[0]!.container.cradle as any;
  const publisher = await c.publishers.register({ name: 'CSV Games', contactEmail: 'csv@games.example', country: 'SE' });
  const game = await c.catalog.addApp(publisher.id, { name: 'Rows', platform: 'android', bundleId: 'se.csv.rows' });
  const units = [
    await c.catalog.addAdUnit(game.id, { name: 'a', format: 'banner' }),
    await c.catalog.addAdUnit(game.id, { name: 'b', format: 'native' }),
  ];
  await app.close();
  const cli = (file: string) =>
    spawnTs('test/fixtures/cli.ts', ['import', 'deliveries', file], { ...databaseEnv(config), TEST_MODULES: 'operations' });
  const count = async () => {
    const check = await createApp(config, { modules: [operationsModule, billingStubModule] });
    const [row] = await check.databases.get('operations')!.knex('delivery_reports').count({ n: '*' }).sum({ gross: 'revenue_micros' });
    await check.close();
    return { rows: Number(row!.n), gross: Number(row!.gross ?? 0) };
  };
  return { units: units.map((u) => u.id as string), cli, count, dir: tempDir(t) };
}

for (const dialect of dialects) {
  test(`[${dialect}] the CSV import writes every row of a good file, a resent day replacing the earlier one`, async (t) => {
    const { units, cli, count, dir } = await prepare(t, dialect);
    const lines = [HEADER];
    for (let day = 1; day <= 28; day++) {
      for (const unit of units) lines.push(`${unit},2026-02-${String(day).padStart(2, '0')},1000,10,250000`);
    }
    lines.push(`${units[0]},2026-02-01,2000,20,500000`); // resent
    const file = path.join(dir, 'good.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const run = cli(file);
    const { code } = await run.exited;
    t.is(code, 0, run.output());
    t.regex(run.stdout(), /^57 rows imported in [\d.]+s\n$/, 'one summary, on stdout');
    t.notRegex(run.output(), /done|written/, 'and no second one');
    t.deepEqual(await count(), { rows: 56, gross: 55 * 250_000 + 500_000 });
  });

  test(`[${dialect}] importing a file again leaves the same rows; a changed file updates them, a day resent batches later taking its later line`, async (t) => {
    const { units, cli, count, dir } = await prepare(t, dialect);
    const file = path.join(dir, 'large.csv');
    const write = (revenue: number) => {
      const lines = [HEADER];
      const first = Date.UTC(2010, 0, 1);
      // 2 ad units × 3,000 days: more than one write batch of the import
      for (let day = 0; day < 3_000; day++) {
        const date = new Date(first + day * 86_400_000).toISOString().slice(0, 10);
        for (const unit of units) lines.push(`${unit},${date},1000,10,${revenue}`);
      }
      lines.push(`${units[0]},2010-01-01,1000,10,${revenue * 2}`); // resent, more than a batch after its first line
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
    };
    const imported = async () => {
      const run = cli(file);
      t.is((await run.exited).code, 0, run.output());
      t.regex(run.stdout(), /^6,001 rows imported/);
      return count();
    };
    write(100);
    const once = await imported();
    t.deepEqual(once, { rows: 6_000, gross: 6_001 * 100 });
    t.deepEqual(await imported(), once, 'the same file again: the same rows');
    write(300);
    t.deepEqual(await imported(), { rows: 6_000, gross: 6_001 * 300 }, 'changed figures replace the rows');
  });

  test(`[${dialect}] a file with bad lines writes nothing and names each bad line by number`, async (t) => {
    const { units, cli, count, dir } = await prepare(t, dialect);
    const good = `${units[0]},2026-02-01,1000,10,250000`;
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(
      file,
      [
        HEADER,
        good,
        `${units[0]},2026-02-30,1000,10,250000`,
        'adu_nope,2026-02-02,1000,10,250000',
        `${units[1]},2026-02-03,10,11,250000`,
        `${units[1]},2026-02-04,-5,0,1`,
        `${units[1]},2026-02-05,5`,
        good,
      ].join('\n'),
    );
    const run = cli(file);
    const { code } = await run.exited;
    t.is(code, 1);
    const output = run.output();
    t.regex(output, /line 3: date "2026-02-30" is not a real YYYY-MM-DD day/);
    t.regex(output, /line 4: ad_unit_id is not a known ad unit/);
    t.regex(output, /line 5: clicks must not exceed impressions/);
    t.regex(output, /line 6: impressions "-5" is not a non-negative whole number/);
    t.regex(output, /line 7: expected 5 fields, found 3/);
    t.notRegex(output, /line [28]:/);
    t.regex(output, /nothing was written/);
    t.deepEqual(await count(), { rows: 0, gross: 0 });

    fs.writeFileSync(file, `impressions,date,region\n${good}\n`);
    const header = cli(file);
    t.is((await header.exited).code, 1);
    t.regex(
      header.output(),
      /line 1: the header must name the columns ad_unit_id,date,impressions,clicks,revenue_micros \(in any order\): unknown column "region"; missing columns ad_unit_id, clicks, revenue_micros/,
    );
  });

  test(`[${dialect}] RFC 4180 files: quoted fields, columns in any order, CRLF and a BOM; the API's bounds; every problem of a line at once`, async (t) => {
    const { units, cli, count, dir } = await prepare(t, dialect);
    const file = path.join(dir, 'quoted.csv');
    fs.writeFileSync(
      file,
      [
        '\uFEFF"revenue_micros","date","ad_unit_id","clicks","impressions"',
        `"250000","2026-02-01","${units[0]}","10","1000000000000"`,
        `250000,2026-02-02,"${units[1]}",10,1000`,
        '',
      ].join('\r\n'),
    );
    const ok = cli(file);
    t.is((await ok.exited).code, 0, ok.output());
    t.regex(ok.stdout(), /^2 rows imported/);
    t.deepEqual(await count(), { rows: 2, gross: 500_000 });

    const bad = path.join(dir, 'bounds.csv');
    fs.writeFileSync(
      bad,
      [
        'ad_unit_id,date,impressions,clicks,revenue_micros',
        `${units[0]},2026-02-03,1000000000001,10,10000000000001`,
        `${units[0]},1999-12-31,ten,5,1.5`,
        'adu_nope,2026-02-30,5,6,1',
        `"${units[1]}","2026-02-04",5,1,"1`,
      ].join('\n'),
    );
    const refused = cli(bad);
    t.is((await refused.exited).code, 1);
    const output = refused.output();
    t.regex(output, /line 2: impressions must be <= 1000000000000; revenue_micros must be <= 10000000000000/, 'the same bounds as the API');
    t.regex(
      output,
      /line 3: impressions "ten" is not a non-negative whole number; revenue_micros "1.5" is not a non-negative whole number; date must be between 2000-01-01 and \S+ \(tomorrow, UTC\)/,
    );
    t.regex(
      output,
      /line 4: ad_unit_id is not a known ad unit; date "2026-02-30" is not a real YYYY-MM-DD day; clicks must not exceed impressions/,
    );
    t.regex(output, /line 5: the file is not valid CSV/);
    t.deepEqual(await count(), { rows: 2, gross: 500_000 }, 'nothing more was written');
  });
}
