/**
 * Conformance fuzz: walks /openapi.json and feeds every operation inputs
 * generated (fast-check, seeded) from its own JSON Schemas, valid ones with
 * real seeded ids and ones broken in a single place, and checks every answer
 * against the document: no 5xx, a documented status, a body that matches the
 * schema for that status, and a 4xx problem for anything invalid. Beyond the
 * schemas it also feeds the README's conventions (fuzzRules.ts): forged cursors,
 * non-decimal query numbers, names breaking the text rule, other charsets and
 * Content-Encodings, weak If-Match tags.
 * Rerun a failure with SEAMS_FUZZ_SEED=<the printed seed>; SEAMS_FUZZ_RUNS=<n> runs more.
 */
import test, { type ExecutionContext } from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { isDay, isMonth } from '../../src/kernel/period.ts';
import { dialects, type Dialect } from '../helpers/databases.ts';
import { boot, BOOTSTRAP, type Booted } from '../helpers/server.ts';
import {
  asQueryNumbers,
  craftedCursor,
  forgedCursor,
  otherCharsetType,
  otherContentEncoding,
  utf8JsonType,
  weakETag,
} from './fuzzRules.ts';
import { brokenValue, validValue, type Check, type Hint, type JsonSchema } from './schemaArbitraries.ts';
import { seed as seedData, type Seeded } from './seed.ts';

const SEED = Number(process.env.SEAMS_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
// Small by default to keep the suite fast; SEAMS_FUZZ_RUNS=200 digs deeper locally.
const VALID_RUNS = Number(process.env.SEAMS_FUZZ_RUNS ?? 20);
const INVALID_RUNS = Number(process.env.SEAMS_FUZZ_RUNS ?? 25);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  label: string;
  path: string;
  method: string;
  roles: string[];
  parameters: Parameter[];
  body: JsonSchema | undefined;
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

function makeAjv() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('day', { type: 'string', validate: isDay });
  ajv.addFormat('month', { type: 'string', validate: isMonth });
  ajv.addFormat('email', { type: 'string', validate: (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) });
  return ajv;
}

function checker(queryText: boolean) {
  const ajv = makeAjv();
  const cache = new Map<JsonSchema, ValidateFunction>();
  const compile = (schema: JsonSchema) => cache.get(schema) ?? cache.set(schema, ajv.compile(schema) as ValidateFunction).get(schema)!;
  const check: Check = (schema, value) => compile(schema)(queryText ? asQueryNumbers(schema, value) : value);
  const errors = (schema: JsonSchema, value: unknown) =>
    compile(schema)(value) ? [] : (compile(schema).errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  return { check, errors };
}

const strict = checker(false);
// Query text is read as the README says: `?limit=5` is the integer 5, `?limit=0x10` is not an integer.
const coercing = checker(true);

/** `#/components/schemas/X` references replaced by the schema they name. */
function resolve(doc: any, schema: any): any {
  if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s));
  if (!schema || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string')
    return resolve(
      doc,
      schema.$ref
        .slice(2)
        .split('/')
        .reduce((node: any, key: string) => node[key], doc),
    );
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolve(doc, v)]));
}

function operationsOf(doc: any): Operation[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      label: `${method.toUpperCase()} ${path}`,
      path,
      method,
      roles: op['x-roles'] ?? [],
      parameters: resolve(doc, op.parameters ?? []),
      body: resolve(doc, op.requestBody?.content?.['application/json']?.schema),
      responses: resolve(doc, op.responses),
    })),
  );
}

/** The parameters of one location as one object schema (the server refuses unknown query parameters). */
function objectOf(op: Operation, where: Parameter['in']): JsonSchema {
  const params = op.parameters.filter((p) => p.in === where);
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
    additionalProperties: where === 'header',
  };
}

/** Query values as the text a URL carries: a list repeats the name (none: absent), undefined for what cannot be sent. */
function toQueryText(query: unknown): Record<string, string | string[]> | undefined {
  if (query === null || typeof query !== 'object' || Array.isArray(query)) return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!Array.isArray(value)) out[key] = text(value);
    else if (value.length === 1) out[key] = text(value[0]);
    else if (value.length > 1) out[key] = value.map(text);
  }
  return out;
}

interface Input {
  role: string;
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  /** A JSON value to send (with a UTF-8 JSON content type), or raw text with a content type, or nothing. */
  body?: { json: unknown; type?: string } | { raw: string; type: string | null };
  /** For invalid inputs: what was broken and the status class it must get. */
  broken?: { what: string; expect: number | number[] };
}

interface Context {
  api: Booted;
  seeded: Seeded;
  tokens: Record<string, string>;
  pools: Record<string, string[]>;
  cursors: string[];
}

function hintFor(op: Operation, ctx: Context): Hint {
  const pick = (values: string[]) => (values.length > 0 ? fc.constantFrom(...values) : undefined);
  const collection = op.path.split('/')[2]!;
  return (name) => {
    if (name === 'id') return pick(ctx.pools[collection] ?? []);
    if (name === 'publisherId') return pick(ctx.pools.publishers!);
    if (name === 'adUnitId') return pick(ctx.pools.adUnits!);
    if (name === 'cursor') {
      const issued = pick(ctx.cursors);
      return issued ? fc.oneof(issued, craftedCursor) : craftedCursor;
    }
    return undefined;
  };
}

/**
 * Path parameter text that names a resource: an empty segment, `.` and `..`
 * would address another route, and U+0000 (which no input may carry) makes any id unknown.
 */
const pathSafe = (value: unknown) =>
  typeof value === 'string' && value !== '' && value !== '.' && value !== '..' && !value.includes('\u0000');
const HEADER_TEXT = fc.stringMatching(/^[A-Za-z0-9_\-"/]{1,40}$/);

function validInput(op: Operation, ctx: Context): fc.Arbitrary<Input> {
  const hint = hintFor(op, ctx);
  const pathSchema = objectOf(op, 'path');
  const querySchema = objectOf(op, 'query');
  const headerNames = op.parameters.filter((p) => p.in === 'header').map((p) => p.name);
  return fc.record({
    role: op.roles.length > 0 ? fc.constantFrom(...op.roles) : fc.constant('none'),
    path: validValue(pathSchema, hint, strict.check).filter((p) => Object.values(p as object).every(pathSafe)) as fc.Arbitrary<
      Record<string, string>
    >,
    query: validValue(querySchema, hint, strict.check)
      .map((q) => toQueryText(q)!)
      .filter((q) => coercing.check(querySchema, q)),
    headers: fc.record(
      Object.fromEntries(
        headerNames.map((n) => [n, n === 'If-Match' ? fc.oneof(fc.constantFrom('"1"', '"2"', 'W/"1"', '*'), HEADER_TEXT) : HEADER_TEXT]),
      ),
      { requiredKeys: [] },
    ) as fc.Arbitrary<Record<string, string>>,
    body: op.body ? fc.record({ json: validValue(op.body, hint, strict.check), type: utf8JsonType }) : fc.constant(undefined),
  });
}

function invalidInput(op: Operation, ctx: Context): fc.Arbitrary<Input> {
  const querySchema = objectOf(op, 'query');
  const pathParams = op.parameters.filter((p) => p.in === 'path' && p.schema.maxLength !== undefined);
  return validInput(op, ctx).chain((input) => {
    const ways: fc.Arbitrary<Input>[] = [];
    if (op.body) {
      ways.push(
        brokenValue(op.body, (input.body as { json: unknown }).json, strict.check).map((b) => ({
          ...input,
          body: { json: b.value },
          broken: { what: `body ${b.what}`, expect: 422 },
        })),
      );
      const malformed = fc.oneof(
        fc.string().filter((s) => s.trim() !== '' && !parses(s)),
        fc
          .constant(JSON.stringify((input.body as { json: unknown }).json))
          .chain((s) => fc.integer({ min: 1, max: Math.max(1, s.length - 1) }).map((n) => s.slice(0, n)))
          .filter((s) => !parses(s)),
        fc.constantFrom('{', '{"a":1,}', "{'single':'quotes'}", 'NaN', '[1,2'),
      );
      ways.push(
        malformed.map((raw) => ({
          ...input,
          body: { raw, type: 'application/json' },
          broken: { what: `malformed JSON ${JSON.stringify(raw).slice(0, 60)}`, expect: 400 },
        })),
      );
      ways.push(
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', null).map((type) => ({
          ...input,
          body: { raw: JSON.stringify((input.body as { json: unknown }).json), type },
          broken: { what: `content type ${type}`, expect: 400 },
        })),
      );
      ways.push(fc.constant({ ...input, body: { raw: '', type: 'application/json' }, broken: { what: 'no body', expect: 400 } }));
      const raw = JSON.stringify((input.body as { json: unknown }).json);
      ways.push(otherCharsetType.map((type) => ({ ...input, body: { raw, type }, broken: { what: `content type ${type}`, expect: 415 } })));
      ways.push(
        otherContentEncoding.map((encoding) => ({
          ...input,
          headers: { ...input.headers, 'Content-Encoding': encoding },
          broken: { what: `Content-Encoding ${encoding}`, expect: 415 },
        })),
      );
    }
    if (op.parameters.some((p) => p.in === 'query' && p.name === 'cursor')) {
      // 422 CURSOR_INVALID; under a parent that is unknown (or another publisher's), its 404 comes first.
      const expect = op.parameters.some((p) => p.in === 'path') ? [422, 404] : 422;
      ways.push(
        forgedCursor.map((cursor) => ({
          ...input,
          query: { ...input.query, cursor },
          broken: { what: `a cursor no page issued (${cursor.slice(0, 40)})`, expect },
        })),
      );
    }
    if (op.parameters.some((p) => p.in === 'header' && p.name === 'If-Match')) {
      // 412 IF_MATCH_WEAK, or a 422 the handler gives the body first (a reason on an issue): never a write.
      ways.push(
        weakETag.map((tag) => ({
          ...input,
          headers: { ...input.headers, 'If-Match': tag },
          broken: { what: `weak If-Match ${tag}`, expect: [412, 422] },
        })),
      );
    }
    // API routes refuse unknown query parameters too; system routes (no roles) take none and ignore them.
    if (op.roles.length > 0) {
      const broken = brokenValue(querySchema, input.query, coercing.check, toQueryText);
      ways.push(broken.map((b) => ({ ...input, query: b.value as Input['query'], broken: { what: `query ${b.what}`, expect: 422 } })));
    }
    for (const param of pathParams) {
      ways.push(
        fc.constant({
          ...input,
          path: { ...input.path, [param.name]: 'x'.repeat(param.schema.maxLength! + 1) },
          broken: { what: `path ${param.name} too long`, expect: 404 },
        }),
      );
    }
    return ways.length > 0 ? fc.oneof(...ways) : fc.constant(input);
  });
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  type: string;
  text: string;
  bytes: Buffer;
}

async function send(ctx: Context, op: Operation, input: Input): Promise<Answer> {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(input.path[name]!));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(input.query)) for (const item of [v].flat()) search.append(k, item);
  const headers: Record<string, string> = { ...input.headers };
  const token = ctx.tokens[input.role];
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (input.body && 'json' in input.body) {
    body = JSON.stringify(input.body.json);
    headers['content-type'] = input.body.type ?? 'application/json';
  } else if (input.body) {
    body = input.body.raw;
    if (input.body.type) headers['content-type'] = input.body.type;
  }
  const query = search.toString();
  const res = await fetch(`${ctx.api.url}${path}${query ? `?${query}` : ''}`, { method: op.method.toUpperCase(), headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: bytes.toString('utf8'), bytes };
}

/** What is wrong with an answer, judged by the document alone. */
function conformance(op: Operation, res: Answer): string[] {
  if (res.status >= 500) return [`a ${res.status}: ${res.text.slice(0, 300)}`];
  const documented = op.responses[String(res.status)];
  if (!documented)
    return [`status ${res.status} is not documented (documented: ${Object.keys(op.responses).join(', ')}): ${res.text.slice(0, 300)}`];
  const content = documented.content ?? {};
  const [mediaType] = Object.keys(content);
  if (!mediaType) return res.status === 204 && res.bytes.length > 0 ? ['a 204 with a body'] : [];
  if (!res.type.startsWith(mediaType)) return [`content type "${res.type}" where ${mediaType} is documented`];
  if (mediaType === 'application/pdf') return res.bytes.subarray(0, 5).toString('latin1') === '%PDF-' ? [] : ['not a PDF'];
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return [`a ${mediaType} body that is not JSON: ${res.text.slice(0, 200)}`];
  }
  const errors = strict.errors(content[mediaType]!.schema, body);
  if (mediaType === 'application/problem+json' && (body as { status?: number }).status !== res.status)
    errors.push(`problem status ${(body as { status?: number }).status} on a ${res.status}`);
  return errors.length > 0 ? [`the ${res.status} body breaks its schema: ${errors.join('; ')}: ${res.text.slice(0, 300)}`] : [];
}

async function bootSeeded(t: ExecutionContext, dialect: Dialect): Promise<Context> {
  const api = await boot(t, dialect, { modules: [operationsModule, billingModule] });
  const seeded = await seedData(api);
  const [a, b] = seeded.publishers;
  const throwaway: string[] = [];
  for (let i = 0; i < 10; i++) throwaway.push((await api.token('ops')).split('.')[0]!);
  const cursors: string[] = [];
  for (const list of ['/v1/publishers', '/v1/tokens', '/v1/invoices', `/v1/publishers/${a.publisherId}/apps`]) {
    const next = (await api.get(`${list}?limit=1`)).body.nextCursor;
    if (next) cursors.push(next);
  }
  return {
    api,
    seeded,
    tokens: { admin: BOOTSTRAP, ops: seeded.tokens.ops, finance: seeded.tokens.finance, publisher: a.token },
    pools: {
      publishers: [a.publisherId, b.publisherId],
      'billing-accounts': [a.publisherId, b.publisherId],
      apps: [a.appId, b.appId],
      adUnits: [a.adUnitId, b.adUnitId],
      invoices: [a.invoiceId, b.invoiceId, a.draftInvoiceId, b.draftInvoiceId],
      'invoice-runs': [seeded.runId],
      tokens: throwaway,
    },
    cursors,
  };
}

async function fuzz(t: ExecutionContext, dialect: Dialect, kind: 'valid' | 'invalid') {
  t.timeout(90_000);
  const ctx = await bootSeeded(t, dialect);
  const operations = operationsOf((await ctx.api.get('/openapi.json', null)).body);
  t.log(`seed ${SEED} (rerun with SEAMS_FUZZ_SEED=${SEED}); ${operations.length} operations`);
  const tally: string[] = [];
  for (const [index, op] of operations.entries()) {
    const statuses: Record<number, number> = {};
    if (kind === 'invalid' && op.roles.length === 0 && !op.body && op.parameters.length === 0) {
      tally.push(`${op.label}: takes no input to break`);
      continue;
    }
    const property = () =>
      fc.asyncProperty(kind === 'valid' ? validInput(op, ctx) : invalidInput(op, ctx), async (input) => {
        const res = await send(ctx, op, input);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const problems = conformance(op, res);
        if (input.broken) {
          if (![input.broken.expect].flat().includes(res.status))
            problems.push(`${input.broken.what}: answered ${res.status}, expected ${input.broken.expect}`);
          if (!res.type.startsWith('application/problem+json')) problems.push(`${input.broken.what}: not a problem body (${res.type})`);
        }
        if (problems.length > 0) throw new Error(`${op.label} as ${input.role}: ${problems.join('\n')}`);
      });
    const seed = SEED + index;
    try {
      await fc.assert(property(), { seed, numRuns: kind === 'valid' ? VALID_RUNS : INVALID_RUNS, endOnFailure: true });
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      t.fail(`${op.label} (fast-check seed ${seed}; SEAMS_FUZZ_SEED=${SEED}):\n${cause?.message ?? ''}\n${(error as Error).stack}`);
    }
    tally.push(
      `${op.label}: ${Object.entries(statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
  }
  t.log(tally.join('\n'));
  return { operations, tally };
}

for (const dialect of dialects) {
  test(`[${dialect}] every operation in /openapi.json fed schema-valid inputs (fast-check from its schemas, real ids): never a 5xx, only documented statuses, every body matching the schema documented for its status`, async (t) => {
    const { operations, tally } = await fuzz(t, dialect, 'valid');
    // Not a vacuous pass: most operations succeeded with some generated input.
    const succeeded = tally.filter((line) => / 2\d\d×/.test(line)).length;
    t.true(succeeded >= operations.length * 0.75, `only ${succeeded} of ${operations.length} operations answered 2xx to any valid input`);
  });

  test(`[${dialect}] every operation fed schema-breaking inputs (wrong types, missing required, unknown fields, out of range, malformed JSON, wrong content type): always the expected 4xx with a Problem body, documented for the operation`, async (t) => {
    const { operations, tally } = await fuzz(t, dialect, 'invalid');
    const fed = tally.filter((line) => !line.endsWith('takes no input to break')).length;
    t.true(fed >= operations.length - 2, `${fed} of ${operations.length} operations fed broken input`);
  });
}

test('[sqlite] every documented path answers a method it does not document with 405, an Allow header naming exactly its methods, and a Problem body', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingModule] });
  const doc = (await api.get('/openapi.json', null)).body;
  let probed = 0;
  for (const [path, methods] of Object.entries(doc.paths as Record<string, object>)) {
    const documented = Object.keys(methods);
    const expected = new Set([...documented.map((m) => m.toUpperCase()), ...(documented.includes('get') ? ['HEAD'] : [])]);
    for (const method of METHODS.filter((m) => !documented.includes(m))) {
      const url = path.replace(/\{\w+\}/g, 'some-id');
      const res = await api.request(method.toUpperCase(), url, { body: method === 'get' ? undefined : {} });
      const where = `${method.toUpperCase()} ${url}: ${res.status} ${res.text.slice(0, 120)}`;
      probed++;
      t.is(res.status, 405, where);
      const allow = new Set(
        (res.headers.get('allow') ?? '')
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean),
      );
      t.deepEqual([...allow].sort(), [...expected].sort(), `${where}: Allow`);
      t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/, where);
      t.like(res.body, { status: 405, code: 'METHOD_NOT_ALLOWED' }, where);
    }
  }
  t.true(probed > 40, `${probed} probes`);
});
