/** Cursor pagination: `?limit=&cursor=` in, `{ data, nextCursor }` out, stable order. */
import { invalid } from './errors.ts';
import { Type, type TSchema } from './schema.ts';

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1–100)' }),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'From the previous page\'s nextCursor' })),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export interface PageOf<T> {
  data: T[];
  nextCursor: string | null;
}

/** The cursor is the sort key of the last row seen, opaque to clients. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | null {
  if (cursor === undefined) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw invalid('CURSOR_INVALID', 'cursor is not one this API issued', [{ path: '/cursor', message: 'is not a valid cursor' }]);
}

/** Given limit + 1 rows fetched in order, the page and the cursor for the next one. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => (string | number)[], map: (row: R) => T): PageOf<T> {
  const more = rows.length > limit;
  const data = (more ? rows.slice(0, limit) : rows).map(map);
  return { data, nextCursor: more ? encodeCursor(key(rows[limit - 1]!)) : null };
}
