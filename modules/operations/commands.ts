/** Operations' operator commands: `import deliveries FILE.csv`. */
import type { Clock, CommandSpec, ModuleDatabase } from '../../src/kernel/index.ts';
import { CSV_HEADER } from './csvHeader.ts';
import { importDeliveries } from './deliveryImport.ts';

interface OperationsCommandsDeps {
  db: ModuleDatabase;
  clock: Clock;
}

/** Declared before the cradle can be read (help lists them first): its parts are read inside run. */
export function operationsCommands(cradle: OperationsCommandsDeps): CommandSpec[] {
  return [
    {
      name: 'import deliveries',
      summary: 'Import an ad-network CSV dump (all lines or none)',
      arguments: [{ name: 'file', description: `RFC 4180 CSV with the columns ${CSV_HEADER} (any order)`, file: true }],
      async run({ args }, io) {
        const started = Date.now();
        const result = await importDeliveries(cradle.db, cradle.clock, args.file!, io);
        for (const bad of result.badLines) io.err.write(`line ${bad.line}: ${bad.message}\n`);
        if (result.moreBadLines > 0) io.err.write(`… and ${result.moreBadLines} more bad lines\n`);
        if (result.badLines.length > 0) {
          io.err.write('nothing was written\n');
          return 1;
        }
        const seconds = (Date.now() - started) / 1000;
        const rows = `${result.rows.toLocaleString('en-US')} ${result.rows === 1 ? 'row' : 'rows'}`;
        io.out.write(`${rows} imported in ${seconds.toFixed(1)}s\n`);
        return 0;
      },
    },
  ];
}
