/**
 * fast-check arbitraries from the JSON Schemas in /openapi.json: values that
 * satisfy a schema, and single mutations of a valid value that break it. The
 * conformance fuzz feeds both to every operation.
 */
import fc from 'fast-check';
import { BROKEN_TEXT, NON_DECIMAL_INTEGERS } from './fuzzRules.ts';

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
}

/** Real values for a named field (ids of seeded objects, issued cursors), or undefined for none. */
export type Hint = (name: string) => fc.Arbitrary<unknown> | undefined;
/** Whether a value satisfies a schema (the same Ajv the responses are checked with). */
export type Check = (schema: JsonSchema, value: unknown) => boolean;

const INT32 = 2 ** 31;

function integer(min = -INT32, max = INT32 - 1): fc.Arbitrary<number> {
  const between = (lo: number, hi: number) => fc.bigInt(BigInt(lo), BigInt(hi)).map(Number);
  // Mostly small values (they make business sense), sometimes anything in range, sometimes a bound.
  return fc.oneof(
    { weight: 3, arbitrary: between(min, Math.min(max, min + 1000)) },
    { weight: 1, arbitrary: between(min, max) },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
  );
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const anyDay = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true });
const DAY = fc.oneof(
  fc.constantFrom('2026-03-01', '2026-03-31', '2026-04-02', '2026-04-30', '2024-02-29'),
  anyDay.map((d) => d.toISOString().slice(0, 10)),
);
const MONTH = fc.oneof(
  fc.constantFrom('2026-03', '2026-04', '2026-05'),
  fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${pad(y, 4)}-${pad(m, 2)}`),
);
const EMAIL = fc.stringMatching(/^[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}\.[a-z]{2,6}$/);

/** The kernel's text rule (names and free text) names the bidirectional controls it refuses. */
const isTextRule = (schema: JsonSchema) => schema.pattern?.includes('\\u202A') ?? false;

function text(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 64;
  if (schema.format === 'day') return DAY;
  if (schema.format === 'month') return MONTH;
  if (schema.format === 'email') return EMAIL;
  if (schema.pattern) {
    const fits = (s: string) => [...s].length >= min && [...s].length <= max;
    const matching = fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    if (!isTextRule(schema)) return matching;
    // Names and free text take any script: draw from all of Unicode too (emoji, combining marks, other scripts), kept when the rule allows them.
    const unicode = new RegExp(schema.pattern, 'u');
    return fc.oneof(
      matching,
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).filter((s) => fits(s) && unicode.test(s)),
    );
  }
  const short = fc
    .constantFrom<'grapheme-ascii' | 'binary'>('grapheme-ascii', 'binary')
    .chain((unit) => fc.string({ unit, minLength: min, maxLength: Math.min(max, Math.max(min, 24)) }));
  return fc.oneof({ weight: 4, arbitrary: short }, { weight: 1, arbitrary: fc.string({ minLength: max, maxLength: max }) });
}

/** A value that satisfies `schema`; `name` is the field's name, for `hint`. */
export function validValue(schema: JsonSchema, hint: Hint, check: Check, name = ''): fc.Arbitrary<unknown> {
  const real = name ? hint(name) : undefined;
  const generic = generate(schema, hint, check).filter((v) => check(schema, v));
  return real ? fc.oneof({ weight: 3, arbitrary: real }, { weight: 1, arbitrary: generic }) : generic;
}

function generate(schema: JsonSchema, hint: Hint, check: Check): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((branch) => generate(branch, hint, check)));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return integer(schema.minimum, schema.maximum);
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'string':
      return text(schema);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(validValue(schema.items ?? {}, hint, check), {
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)),
      });
    }
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const model = Object.fromEntries(properties.map(([key, property]) => [key, validValue(property, hint, check, key)]));
      const requiredKeys = (schema.required ?? []).filter((key) => key in model);
      const record = fc.record(model, { requiredKeys });
      return schema.minProperties ? record.filter((o) => Object.keys(o).length >= schema.minProperties!) : record;
    }
    default:
      return fc.jsonValue();
  }
}

export interface Broken {
  /** What was broken, for the failure message. */
  what: string;
  value: unknown;
}

const WRONG_TYPES: unknown[] = [0, 1.5, -1, 'text', '', true, null, [], {}, [1, 'a']];
const CLIENT_SET_FIELDS = ['id', 'status', 'version', 'totalMinor', 'publisherId', 'createdAt', '__proto__', 'extra field'];

/** Values that break one node (some may still satisfy it: the caller keeps only those that break the whole). */
function breakersOf(schema: JsonSchema, value: unknown): Broken[] {
  const out: Broken[] = WRONG_TYPES.map((v) => ({ what: `wrong type ${JSON.stringify(v)}`, value: v }));
  const branches = schema.anyOf ?? [schema];
  for (const s of branches) {
    if (s.minimum !== undefined) out.push({ what: `below minimum ${s.minimum}`, value: s.minimum - 1 });
    if (s.maximum !== undefined) out.push({ what: `above maximum ${s.maximum}`, value: s.maximum + 1 });
    if (s.type === 'integer') {
      out.push({ what: 'a fraction for an integer', value: 0.5 }, { what: 'a numeric string for an integer', value: '5' });
      // In a query these are text other parsers read as numbers; the API reads decimal digits only.
      out.push(...NON_DECIMAL_INTEGERS.map((v) => ({ what: `non-decimal integer text ${JSON.stringify(v)}`, value: v })));
    }
    if (s.maxLength !== undefined) out.push({ what: `longer than ${s.maxLength}`, value: 'x'.repeat(s.maxLength + 1) });
    if (s.minLength) out.push({ what: `shorter than ${s.minLength}`, value: '' });
    if (s.format === 'day')
      out.push(...['2026-02-30', '2026-13-01', '2026-3-1', '01.03.2026'].map((v) => ({ what: `bad day ${v}`, value: v })));
    if (s.format === 'month') out.push(...['2026-13', '2026-00', '2026-3', '2026/03'].map((v) => ({ what: `bad month ${v}`, value: v })));
    if (s.format === 'email') out.push(...['not-an-email', 'a@b', '@example.com'].map((v) => ({ what: `bad email ${v}`, value: v })));
    if (s.pattern) out.push(...['de', 'D', 'has space', ' '].map((v) => ({ what: `breaks /${s.pattern}/ with "${v}"`, value: v })));
    if (isTextRule(s)) out.push(...BROKEN_TEXT.map((v) => ({ what: `breaks the text rule with ${JSON.stringify(v)}`, value: v })));
    if (s.enum || 'const' in s) out.push({ what: 'not one of the allowed values', value: 'not-a-member' });
  }
  if (schema.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of schema.required ?? []) {
      const { [key]: _, ...rest } = value as Record<string, unknown>;
      out.push({ what: `missing required ${key}`, value: rest });
    }
    for (const key of CLIENT_SET_FIELDS.filter((k) => !(k in (schema.properties ?? {})))) {
      const extended = { ...(value as object) };
      Object.defineProperty(extended, key, { value: 'x', enumerable: true, configurable: true, writable: true });
      out.push({ what: `unknown field ${key}`, value: extended });
    }
    if (schema.minProperties) out.push({ what: 'no fields at all', value: {} });
  }
  if (schema.type === 'array' && schema.minItems) out.push({ what: 'an empty array', value: [] });
  return out;
}

/** Every (path, schema, value) node of a valid value, anyOf resolved to the branch the value takes. */
function nodes(
  schema: JsonSchema,
  value: unknown,
  check: Check,
  path: (string | number)[] = [],
): { path: (string | number)[]; schema: JsonSchema; value: unknown }[] {
  const branch = schema.anyOf?.find((s) => check(s, value));
  const own = { path, schema, value };
  const at = branch ?? schema;
  if (at.type === 'object' && value && typeof value === 'object') {
    return [
      own,
      ...Object.entries(value).flatMap(([k, v]) => (at.properties?.[k] ? nodes(at.properties[k]!, v, check, [...path, k]) : [])),
    ];
  }
  if (at.type === 'array' && Array.isArray(value)) return [own, ...value.flatMap((v, i) => nodes(at.items ?? {}, v, check, [...path, i]))];
  return [own];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(root) ? [...root] : Object.defineProperties({}, Object.getOwnPropertyDescriptors(root));
  copy[head!] = setAt(copy[head!], rest, value);
  return copy;
}

const describePath = (path: (string | number)[]) => `/${path.join('/')}`;

/**
 * One mutation of a valid value that the schema refuses; `encode` turns a
 * candidate into what is sent (query values become text; undefined: cannot be sent) before it is judged.
 */
export function brokenValue(
  schema: JsonSchema,
  value: unknown,
  check: Check,
  encode: (v: unknown) => unknown = (v) => v,
): fc.Arbitrary<Broken> {
  const candidates = nodes(schema, value, check).flatMap((node) =>
    breakersOf(node.schema, node.value).map((b) => ({
      what: `${describePath(node.path)}: ${b.what}`,
      value: encode(setAt(value, node.path, b.value)),
    })),
  );
  const breaking = candidates.filter((c) => c.value !== undefined && !check(schema, c.value));
  if (breaking.length === 0) throw new Error(`no way to break ${JSON.stringify(value)} under ${JSON.stringify(schema)}`);
  return fc.constantFrom(...breaking);
}
