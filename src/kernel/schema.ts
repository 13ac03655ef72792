/**
 * The one schema language: TypeBox builds JSON Schema with static types, Ajv
 * validates it, and OpenAPI 3.1 embeds it as is. Requests, facade calls and
 * events are all described this way.
 */
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { invalid, type FieldError } from './errors.ts';
import { isDay, isMonth } from './period.ts';
import { UNSAFE_CHARACTER, textProblem } from './text.ts';

export { Type, type Static, type TObject, type TSchema };
export { Text, MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from './text.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// No type coercion: query text becomes numbers through queryNumbers() alone. `verbose` keeps the
// offending value on each error, so a broken text rule can say which character broke it.
// Made on the first schema compiled (Ajv compiles its own meta-schemas as it is made).
let ajv: Ajv | null = null;

function makeAjv(): Ajv {
  const made = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
  made.addFormat('day', { type: 'string', validate: isDay });
  made.addFormat('month', { type: 'string', validate: isMonth });
  made.addFormat('email', { type: 'string', validate: (s: string) => EMAIL.test(s) && !UNSAFE_CHARACTER.test(s) });
  return made;
}

export interface Validator<T> {
  readonly schema: TSchema;
  /** Returns the value (with defaults applied) or throws a 422 DomainError listing every problem. */
  (value: unknown, at?: string): T;
  check(value: unknown, at?: string): FieldError[];
}

const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Compiled on the first value checked, not at start: a process compiles only the schemas it uses. */
function compile(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = (ajv ??= makeAjv()).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * `coerce`: the value is query or path text (`?limit=5`), whose integer fields are parsed by
 * queryNumbers() before validation; anything else stays text and fails as "must be integer".
 */
export function validator<S extends TSchema>(schema: S, options: { coerce?: boolean } = {}): Validator<Static<S>> {
  let run: ValidateFunction | undefined;
  const integers = options.coerce ? integerFields(schema) : [];
  const check = (value: unknown, at = '') => {
    if (integers.length > 0) queryNumbers(value, integers);
    run ??= compile(schema);
    return run(value) ? [] : toFieldErrors(run.errors ?? [], at);
  };
  const fn = ((value: unknown, at = '') => {
    const errors = check(value, at);
    if (errors.length > 0) throw invalid('VALIDATION_FAILED', describe(errors), errors);
    return value as Static<S>;
  }) as Validator<Static<S>>;
  Object.assign(fn, { schema, check });
  return fn;
}

/** Decimal digits, optionally signed: `0x10`, `1e1`, ` 5`, `+5` and `5.0` are not integers in a query. */
const DECIMAL_INTEGER = /^-?[0-9]{1,16}$/;

/** The one parser of query numbers: decimal digits only, within the safe integer range. */
export function parseQueryInteger(text: string): number | null {
  if (!DECIMAL_INTEGER.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

function integerFields(schema: TSchema): string[] {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  return Object.keys(properties).filter((name) => properties[name]!.type === 'integer');
}

/** Replaces, in place, each integer field's decimal text by its number. */
function queryNumbers(value: unknown, fields: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const field of fields) {
    const text = record[field];
    const parsed = typeof text === 'string' ? parseQueryInteger(text) : null;
    if (parsed !== null) record[field] = parsed;
  }
}

function describe(errors: FieldError[]): string {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${first.path || 'input'} ${first.message}${more}`;
}

function toFieldErrors(errors: ErrorObject[], at: string): FieldError[] {
  // One message per path: a union failing reports once, not once per branch.
  const byPath = new Map<string, FieldError>();
  for (const error of errors) {
    const field = toFieldError(error, at);
    if (!byPath.has(field.path)) byPath.set(field.path, field);
  }
  return [...byPath.values()];
}

function toFieldError(error: ErrorObject, at: string): FieldError {
  const path = at + error.instancePath;
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${error.params.missingProperty}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${path}/${error.params.additionalProperty}`, message: 'is not an allowed field' };
    case 'format':
      return { path, message: `must be a valid ${error.params.format}` };
    case 'enum':
      return { path, message: `must be one of ${(error.params.allowedValues as string[]).join(', ')}` };
    case 'pattern':
      return { path, message: textProblem(error.params.pattern as string, error.data) ?? error.message ?? 'is invalid' };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

// Shared building blocks.
export const Day = Type.String({ format: 'day', description: 'UTC day, YYYY-MM-DD', examples: ['2026-03-01'] });
export const Month = Type.String({ format: 'month', description: 'UTC month, YYYY-MM', examples: ['2026-03'] });
export const Timestamp = Type.String({ description: 'ISO 8601 UTC timestamp' });
export const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'An e-mail address: no spaces, control or bidirectional characters',
});
/** A string that is one of the given values (`{ enum: [...] }` in JSON Schema). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An object schema that refuses unknown fields (a client cannot set what it may not). */
export const Strict = <P extends Parameters<typeof Type.Object>[0]>(properties: P, options: { description?: string } = {}) =>
  Type.Object(properties, { ...options, additionalProperties: false });
