/** The pieces of docs/performance.md that every figure's section uses. */
import { fmt } from './stats.ts';

export const databaseName = (dialect: string) => (dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL');

export const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

export function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join(
    '\n',
  );
}
