/**
 * HTTP semantics a careful client and any cache between rely on: 415 for a
 * body seams would misread, strong If-Match comparison, and no shared cache
 * keeping an authenticated answer.
 */
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { eventually, runInvoices, seedPublisher } from '../e2e/harness.ts';
import { boot } from '../helpers/server.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';

const NOTE = JSON.stringify({ topic: 'charset', text: 'café' });

test('a JSON body in another charset or a Content-Encoding seams does not decode is 415, not misread; UTF-8 labels and identity are read; another media type stays 400', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [notesModule] });
  const ops = await api.token('ops');
  const post = (headers: Record<string, string>, raw: string | Buffer = NOTE) =>
    fetch(`${api.url}/v1/notes`, { method: 'POST', headers: { authorization: `Bearer ${ops}`, ...headers }, body: raw });

  for (const type of [
    'application/json; charset=latin1',
    'application/json; charset=ISO-8859-1',
    'application/json; charset=utf-16',
    'application/json;charset="windows-1252"',
  ]) {
    const res = await post({ 'content-type': type }, Buffer.from(NOTE, 'latin1'));
    t.is(res.status, 415, type);
    t.like(await res.json(), { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, title: 'Unsupported Media Type' }, type);
  }
  for (const encoding of ['gzip', 'br', 'deflate', 'gzip, identity']) {
    const res = await post({ 'content-type': 'application/json', 'content-encoding': encoding }, gzipSync(NOTE));
    t.is(res.status, 415, encoding);
    t.is(res.headers.get('accept-encoding'), 'identity', encoding);
    t.like(await res.json(), { code: 'UNSUPPORTED_CONTENT_ENCODING', status: 415 }, encoding);
  }
  const readable: Record<string, string>[] = [
    { 'content-type': 'application/json; charset=utf-8' },
    { 'content-type': 'application/json; charset=UTF8' },
    { 'content-type': 'application/json', 'content-encoding': 'identity' },
  ];
  for (const headers of readable) {
    const res = await post(headers);
    t.is(res.status, 201, JSON.stringify(headers));
    t.is(((await res.json()) as { text: string }).text, 'café', 'read as UTF-8');
  }
  const plain = await post({ 'content-type': 'text/plain' });
  t.is(plain.status, 400);
  t.is(((await plain.json()) as { code: string }).code, 'CONTENT_TYPE_UNSUPPORTED');
  const listed = await api.app.databases.get('notes')!.knex('notes').where({ topic: 'charset' });
  t.is(listed.length, 3, 'only the UTF-8 bodies were written');
});

test('If-Match compares strongly: a weak W/"1" is 412 IF_MATCH_WEAK even when the version matches; the strong "1" and * pass', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingModule] });
  const ops = await api.token('ops');
  const created = await api.post('/v1/publishers', { name: 'Strong Studio', contactEmail: 'strong@studio.example', country: 'NL' }, ops);
  t.is(created.headers.get('etag'), '"1"');
  const patch = (ifMatch: string, name: string) =>
    api.request('PATCH', `/v1/publishers/${created.body.id}`, { token: ops, body: { name }, headers: { 'if-match': ifMatch } });

  const weak = await patch('W/"1"', 'Weak Studio');
  t.is(weak.status, 412);
  t.like(weak.body, { code: 'IF_MATCH_WEAK', status: 412 });
  t.is((await api.get(`/v1/publishers/${created.body.id}`, ops)).body.name, 'Strong Studio', 'nothing changed');
  const strong = await patch('"1"', 'Strong Studio 2');
  t.is(strong.status, 200);
  t.is(strong.headers.get('etag'), '"2"');
  t.is((await patch('"1"', 'Stale')).status, 412);
  t.is((await patch('*', 'Any Version')).status, 200);
});

test('every authenticated answer says Cache-Control: no-store and Vary: Authorization (JSON, problems, invoice PDFs, internal calls); the public docs assets stay cacheable', async (t) => {
  const serviceToken = 'service-token-for-cache-tests-0123456';
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingModule], env: { SEAMS_SERVICE_TOKEN: serviceToken } });
  const [ops, finance] = [await api.token('ops'), await api.token('finance')];
  const { publisherId } = await seedPublisher(api, ops, 1_000_000, 1);
  await eventually(
    () => api.get(`/v1/billing-accounts/${publisherId}`, finance),
    (r) => r.status === 200,
    'the billing account',
  );
  await runInvoices(api, finance, '2026-03');
  const invoiceId = (await api.get(`/v1/invoices?publisherId=${publisherId}`, finance)).body.data[0].id;
  t.is((await api.request('PATCH', `/v1/invoices/${invoiceId}`, { token: finance, body: { status: 'issued' } })).status, 200);

  const pdf = await fetch(`${api.url}/v1/invoices/${invoiceId}/pdf`, { headers: { authorization: `Bearer ${finance}` } });
  t.is(pdf.status, 200);
  t.is(pdf.headers.get('content-type'), 'application/pdf');
  const answers = {
    pdf,
    json: await api.get(`/v1/publishers/${publisherId}`, ops),
    list: await api.get('/v1/invoices', finance),
    created: await api.post('/v1/tokens', { role: 'ops' }),
    noToken: await api.get('/v1/invoices', null),
    forbidden: await api.get('/v1/tokens', ops),
    notFound: await api.get('/v1/publishers/pub_missing', ops),
    invalid: await api.get('/v1/invoices?limit=0', finance),
  };
  for (const [what, res] of Object.entries(answers)) {
    t.is(res.headers.get('cache-control'), 'no-store', what);
    t.regex(res.headers.get('vary') ?? '', /\bAuthorization\b/i, what);
  }
  t.deepEqual(
    Object.values(answers).map((r) => r.status),
    [200, 200, 200, 201, 401, 403, 404, 422],
  );
  const internal = await api.post('/internal/operations/publishersByIds', { ids: [publisherId] }, serviceToken);
  t.is(internal.status, 200);
  t.is(internal.headers.get('cache-control'), 'no-store');
  const asset = await api.get('/docs/swagger-ui.css', null);
  t.is(asset.headers.get('cache-control'), 'public, max-age=86400');
});
