/**
 * Arbitraries for the rules a JSON Schema cannot carry alone, fed by the
 * conformance fuzz: query numbers (decimal digits), cursors (only as a page
 * gave them), body charsets and encodings, and If-Match's strong comparison.
 * Each follows the API conventions in the README, not the server's code.
 */
import fc from 'fast-check';
import type { JsonSchema } from './schemaArbitraries.ts';

/** Query text of an integer field as the API reads it: decimal digits, nothing else (0x10, 1e1, " 5" stay text). */
export function asQueryNumbers(schema: JsonSchema, value: unknown): unknown {
  if (schema.type !== 'object' || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const text = copy[name];
    if (property.type === 'integer' && typeof text === 'string' && /^-?[0-9]{1,16}$/.test(text) && Number.isSafeInteger(Number(text)))
      copy[name] = Number(text);
  }
  return copy;
}

/** Integer text that other parsers would take as a number. */
export const NON_DECIMAL_INTEGERS = ['0x10', '1e1', ' 5', '5 ', '+5', '5.0', '0b11', 'Infinity'];

/** Strings the text rule refuses in a name or free text: bidi controls, C0/C1 controls, lone surrogates, blank and padded text. */
export const BROKEN_TEXT = [
  'evil\u202Etxt',
  'x\u2066y\u2069',
  'bell\u0007',
  '\u001B[31m',
  'c1\u0085',
  'lone\uD800',
  '\uDC00',
  '   ',
  ' padded',
  'padded ',
  'tab\there',
  'line\nbreak',
  'nul\u0000',
];

const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** A key part no page ever issues: control characters, lone surrogates, other characters, numbers, nesting, empty or overlong text. */
const neverIssuedPart = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map((s) => `${s}\u0000`),
  fc.constantFrom('\u0000', 'pub_\u0000', '\uD800', 'a b', 'pub_x\n', '', 'ü', 'x'.repeat(65)),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
);

/** Cursors no list ever issued, canonically encoded so only their meaning is wrong: any list answers 422. */
export const forgedCursor = fc
  .tuple(fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { maxLength: 2 }), neverIssuedPart, fc.nat())
  .map(([parts, bad, at]) => {
    const key: unknown[] = [...parts];
    key.splice(at % (parts.length + 1), 0, bad);
    return encode(key);
  });

/** Anything a client might try as a cursor: forged keys, other encodings of them, any text. */
export const craftedCursor = fc.oneof(
  forgedCursor,
  fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.integer(), fc.double()), { maxLength: 3 }).map(encode),
  forgedCursor.map((c) => Buffer.from(c, 'base64url').toString('base64')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Ways of labelling a UTF-8 JSON body, all read alike. */
export const utf8JsonType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json;charset="utf-8"',
);

/** JSON labelled with a charset seams does not read: 415. */
export const otherCharsetType = fc
  .oneof(
    fc.constantFrom('latin1', 'ISO-8859-1', 'utf-16', 'UTF-16LE', 'windows-1252', 'us-ascii', 'Shift_JIS'),
    fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/),
  )
  .filter((label) => !/^utf-?8$/i.test(label))
  .map((label) => `application/json; charset=${label}`);

/** A Content-Encoding seams does not decode (every one but identity): 415. */
export const otherContentEncoding = fc
  .oneof(
    fc.constantFrom('gzip', 'br', 'deflate', 'zstd', 'compress', 'gzip, identity', 'x-gzip'),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
  )
  .filter((encoding) => encoding.toLowerCase() !== 'identity');

/** A weak entity tag: If-Match compares strongly, so it never matches (412), whatever version it names. */
export const weakETag = fc.nat({ max: 5 }).map((n) => `W/"${n}"`);
