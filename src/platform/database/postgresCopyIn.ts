/**
 * Rows into a PostgreSQL table with `COPY … FROM STDIN` (text format) on the connection of a Knex
 * transaction: PostgreSQL reads a few bytes per value, no parameters, no statement per row. Every
 * value is written as text format wants it or refused, so no value can end a field, a row or the
 * data early, or arrive as something else.
 */
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Characters that mean something in COPY's text format, as it reads them back. */
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const SPECIAL = /[\\\t\n\r]/g;
/** PostgreSQL's text holds no U+0000, and UTF-8 would turn a lone surrogate into U+FFFD silently. */
const UNWRITABLE = /[\0\uD800-\uDFFF]/u;
/** Any of the above, and any surrogate (without the u flag): most text has none and goes as it is. */
const ANY_CARE = /[\\\t\n\r\0\uD800-\uDFFF]/;

/** One value as a field of COPY's text format: `\N` for null, backslash, tab, line feed and carriage return escaped. */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`COPY: ${value} is not a finite number`);
      return String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'string':
      return copyText(value);
    default:
      if (value instanceof Date) return value.toISOString();
      if (typeof value === 'object' && !Buffer.isBuffer(value)) return copyText(JSON.stringify(value));
      throw new TypeError(`COPY: a value of type ${typeof value} has no text form here`);
  }
}

function copyText(text: string): string {
  if (!ANY_CARE.test(text)) return text;
  if (UNWRITABLE.test(text)) throw new TypeError('COPY: text must not hold U+0000 or a lone surrogate');
  return text.replace(SPECIAL, (c) => ESCAPED[c]!);
}

/** A row as a line of COPY's text format. */
export function copyLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : '\t') + copyField(values[i]);
  return `${line}\n`;
}

/** Streams `text` (lines made by copyLine) through `copy`, a `COPY … FROM STDIN`, on `connection` (a transaction's). */
export async function copyIn(connection: pg.Client, copy: string, text: string): Promise<void> {
  const stream = connection.query(copyFrom(copy));
  stream.end(text);
  await finished(stream);
}
