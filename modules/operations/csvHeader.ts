/** The header line of a delivery CSV: the columns by name, in any order; each once, none unknown. */

const CSV_COLUMNS = ['ad_unit_id', 'date', 'impressions', 'clicks', 'revenue_micros'] as const;
export const CSV_HEADER = CSV_COLUMNS.join(',');

/** Where each column is in a record, and how many fields a record has. */
export type CsvColumns = Record<(typeof CSV_COLUMNS)[number], number> & { count: number };

/** The columns, or what is wrong with the header (every problem). */
export function readCsvHeader(record: string[]): CsvColumns | string {
  const names = record.map((name) => name.trim());
  const problems: string[] = [];
  const unknown = names.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) problems.push(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`);
  const missing = CSV_COLUMNS.filter((name) => !names.includes(name));
  if (missing.length > 0) problems.push(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const twice = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  if (twice.length > 0) problems.push(`column${twice.length > 1 ? 's' : ''} ${twice.join(', ')} given twice`);
  if (problems.length > 0) return `the header must name the columns ${CSV_HEADER} (in any order): ${problems.join('; ')}`;
  return Object.assign(
    Object.fromEntries(CSV_COLUMNS.map((name) => [name, names.indexOf(name)])) as Record<(typeof CSV_COLUMNS)[number], number>,
    { count: names.length },
  );
}
