/** Cursor pagination: `?limit=&cursor=` in, `{ data, nextCursor }` out, stable order. */
import { invalid } from './errors.ts';
import { Type, type TSchema } from './schema.ts';

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1–100, decimal digits)' }),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: "From the previous page's nextCursor" }),
  ),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export interface PageOf<T> {
  data: T[];
  nextCursor: string | null;
}

/** The cursor is the sort key of the last row seen, opaque to clients. */
export function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * What a sort key this API issues is made of: ids (`pub_01J…`) and periods (`2026-03`). Anything else
 * (U+0000, which PostgreSQL text cannot hold, numbers, other lengths) was never issued, so it is
 * refused here alike on every database instead of reaching SQL.
 */
const KEY_PART = /^[A-Za-z0-9_.:-]{1,64}$/;

export function decodeCursor(cursor: string | undefined, arity: number): string[] | null {
  if (cursor === undefined) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const issued =
      Array.isArray(key) &&
      key.length === arity &&
      key.every((part) => typeof part === 'string' && KEY_PART.test(part)) &&
      // Only the one encoding this API writes: no padding, no other alphabet, no trailing bits.
      encodeCursor(key) === cursor;
    if (issued) return key as string[];
  } catch {
    // not base64url JSON: refused below
  }
  throw invalid('CURSOR_INVALID', 'cursor is not one this API issued', [
    { path: '/query/cursor', message: 'is not a cursor this API issued' },
  ]);
}

/** Given limit + 1 rows fetched in order, the page and the cursor for the next one. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => string[], map: (row: R) => T): PageOf<T> {
  const more = rows.length > limit;
  const data = (more ? rows.slice(0, limit) : rows).map(map);
  return { data, nextCursor: more ? encodeCursor(key(rows[limit - 1]!)) : null };
}
