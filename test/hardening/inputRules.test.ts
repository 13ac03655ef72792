/**
 * The input rules, on every database: cursors are checked as strictly as the
 * query (PostgreSQL answered 500 to one holding U+0000), query numbers are
 * decimal digits, and names and free text follow the text rule, so what a
 * 201 echoes is what both databases store.
 */
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from '../../src/kernel/index.ts';
import { eventually, runInvoices, seedPublisher } from '../e2e/harness.ts';
import { dialects } from '../helpers/databases.ts';
import { boot, type Response } from '../helpers/server.ts';

const modules = [operationsModule, billingModule];
const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** A publisher with a March 2026 draft invoice (its billing account opened from Operations' event). */
async function publisherWithInvoice(api: Awaited<ReturnType<typeof boot>>, ops: string, finance: string) {
  const seeded = await seedPublisher(api, ops, 1_000_000, 1);
  await eventually(
    () => api.get(`/v1/billing-accounts/${seeded.publisherId}`, finance),
    (r) => r.status === 200,
    'the billing account',
  );
  await runInvoices(api, finance, '2026-03');
  const invoiceId: string = (await api.get(`/v1/invoices?publisherId=${seeded.publisherId}`, finance)).body.data[0].id;
  return { ...seeded, invoiceId };
}

/** Text the rule refuses, with the words the 422 uses for it. */
const BROKEN_TEXT: [string, RegExp][] = [
  ['evil\u202Etxt.exe', /bidirectional control U\+202E/],
  ['isolated\u2066name', /bidirectional control U\+2066/],
  ['bell\u0007', /control character U\+0007/],
  ['\u001B[31mred', /control character U\+001B/],
  ['c1\u0085', /control character U\+0085/],
  ['tab\tinside', /control character U\+0009/],
  ['lone \uD800 half', /lone surrogate U\+D800/],
  ['   ', /must not be blank/],
  [' padded', /must not start or end with whitespace/],
  ['padded\u00A0', /must not start or end with whitespace/],
  ['nul\u0000', /control character U\+0000/],
];

for (const dialect of dialects) {
  test(`[${dialect}] a cursor that decodes to U+0000, a number, the wrong number of keys or another encoding is 422 on every list route, never a 500`, async (t) => {
    const api = await boot(t, dialect, { modules });
    const ops = await api.token('ops');
    const { publisherId, appId } = await seedPublisher(api, ops, 1_000_000, 1);
    const lists = ['/v1/publishers', `/v1/publishers/${publisherId}/apps`, `/v1/apps/${appId}/ad-units`, '/v1/invoices', '/v1/tokens'];
    const forged = [
      cursorOf(['\u0000']),
      cursorOf(['pub_\u0000']),
      cursorOf(['2026-03', 'inv_\u0000']),
      cursorOf([1]),
      cursorOf([1, 2]),
      cursorOf(['a', 'b', 'c']),
      cursorOf([['pub_x']]),
      cursorOf({ id: 'pub_x' }),
      cursorOf(['\uD800']),
      `${cursorOf(['pub_x'])}=`,
      cursorOf(['pub_zz']).replace(/Q$/, 'R'), // the same key, with trailing bits this API never writes
      '%00',
    ];
    for (const list of lists) {
      for (const cursor of forged) {
        const res = await api.get(`${list}?cursor=${encodeURIComponent(cursor)}`);
        t.is(res.status, 422, `${list} cursor ${cursor}: ${res.text}`);
        t.is(res.body.errors?.[0]?.path, '/query/cursor', `${list} cursor ${cursor}`);
      }
      t.is((await api.get(`${list}?cursor=${cursorOf(['pub_\u0000'])}`)).body.code, 'CURSOR_INVALID', list);
    }
    await api.post('/v1/publishers', { name: 'Second Studio', contactEmail: 'second@studio.example', country: 'SE' }, ops);
    const first = await api.get('/v1/publishers?limit=1', ops);
    const second = await api.get(`/v1/publishers?limit=1&cursor=${first.body.nextCursor}`, ops);
    t.is(second.status, 200, 'an issued cursor still pages');
    t.not(second.body.data[0].id, first.body.data[0].id);
  });

  test(`[${dialect}] limit is decimal digits only: 0x10, 1e1, " 5", "+5", "5.0" are 422; 5 and 007 page`, async (t) => {
    const api = await boot(t, dialect, { modules });
    for (const limit of ['0x10', '1e1', '%205', '5%20', '%2B5', '5.0', '0b11', '', 'Infinity', '9007199254740993']) {
      const res = await api.get(`/v1/tokens?limit=${limit}`);
      t.is(res.status, 422, `limit=${limit}: ${res.text}`);
      t.deepEqual(
        res.body.errors.map((e: { path: string }) => e.path),
        ['/query/limit'],
        `limit=${limit}`,
      );
    }
    for (const limit of ['5', '007', '100']) t.is((await api.get(`/v1/tokens?limit=${limit}`)).status, 200, `limit=${limit}`);
  });

  test(`[${dialect}] every name and free-text field refuses bidi overrides, control characters, lone surrogates, blank and padded text with a 422 naming the character, and nothing is written`, async (t) => {
    const api = await boot(t, dialect, { modules });
    const [ops, finance] = [await api.token('ops'), await api.token('finance')];
    const { publisherId, appId, invoiceId } = await publisherWithInvoice(api, ops, finance);
    t.is((await api.request('PATCH', `/v1/invoices/${invoiceId}`, { token: finance, body: { status: 'issued' } })).status, 200);
    const fields: { label: string; send: (text: string) => Promise<Response>; path: string; multiline?: true }[] = [
      {
        label: 'publisher name',
        path: '/name',
        send: (name) =>
          api.request('POST', '/v1/publishers', { token: ops, body: { name, contactEmail: 'x@studio.example', country: 'DE' } }),
      },
      {
        label: 'publisher rename',
        path: '/name',
        send: (name) => api.request('PATCH', `/v1/publishers/${publisherId}`, { token: ops, body: { name } }),
      },
      {
        label: 'app name',
        path: '/name',
        send: (name) =>
          api.request('POST', `/v1/publishers/${publisherId}/apps`, {
            token: ops,
            body: { name, platform: 'web', bundleId: 'com.example.fresh' },
          }),
      },
      {
        label: 'ad unit name',
        path: '/name',
        send: (name) => api.request('POST', `/v1/apps/${appId}/ad-units`, { token: ops, body: { name, format: 'banner' } }),
      },
      {
        label: 'legal name',
        path: '/legalName',
        send: (legalName) => api.request('PATCH', `/v1/billing-accounts/${publisherId}`, { token: finance, body: { legalName } }),
      },
      {
        label: 'tax id',
        path: '/taxId',
        send: (taxId) => api.request('PATCH', `/v1/billing-accounts/${publisherId}`, { token: finance, body: { taxId } }),
      },
      {
        label: 'void reason',
        path: '/reason',
        multiline: true,
        send: (reason) => api.request('PATCH', `/v1/invoices/${invoiceId}`, { token: finance, body: { status: 'void', reason } }),
      },
      {
        label: 'payment reference',
        path: '/reference',
        send: (reference) =>
          api.request('POST', `/v1/invoices/${invoiceId}/payments`, {
            token: finance,
            body: { amountMinor: 1, receivedOn: '2026-04-02', reference },
          }),
      },
      { label: 'token name', path: '/name', send: (name) => api.request('POST', '/v1/tokens', { body: { role: 'ops', name } }) },
    ];
    for (const field of fields) {
      for (const [text, words] of BROKEN_TEXT) {
        const res = await field.send(text);
        t.is(res.status, 422, `${field.label} ${JSON.stringify(text)}: ${res.text}`);
        t.is(res.body.errors?.[0]?.path, field.path, `${field.label} ${JSON.stringify(text)}`);
        t.regex(res.body.errors?.[0]?.message ?? '', words, `${field.label} ${JSON.stringify(text)}`);
      }
      // Line breaks are text in the void reason (read back in the next test); everywhere else they are control characters.
      if (!field.multiline) t.is((await field.send('line\nbreak')).status, 422, `${field.label}: a line break in a one-line field`);
    }
    t.is((await api.get('/v1/publishers', ops)).body.data.length, 1, 'no publisher was registered');
    t.is((await api.get(`/v1/publishers/${publisherId}/apps`, ops)).body.data.length, 1, 'no app was added');
    t.like((await api.get(`/v1/invoices/${invoiceId}`, finance)).body, { status: 'issued', paidMinor: 0 });
    t.is((await api.get('/v1/tokens')).body.data.length, 2, 'no token was created');
    const bundle = await api.request('POST', `/v1/publishers/${publisherId}/apps`, {
      token: ops,
      body: { name: 'Half', platform: 'web', bundleId: 'com.example.\uDC00' },
    });
    t.is(bundle.status, 422, 'a lone surrogate in any other string is refused too');
    t.deepEqual(bundle.body.errors, [{ path: '/bundleId', message: 'must be well-formed Unicode (no lone surrogates)' }]);
  });

  test(`[${dialect}] text in any script, with emoji, direction marks and (in the void reason) line breaks, is stored and read back exactly as the 201 echoed it`, async (t) => {
    const api = await boot(t, dialect, { modules });
    const [ops, finance] = [await api.token('ops'), await api.token('finance')];
    for (const name of ['株式会社ピクセル', 'استوديو\u200F', 'Pixel 🎮 Forge', 'Zoë & Søn', 'A']) {
      const created = await api.post('/v1/publishers', { name, contactEmail: 'studio@games.example', country: 'JP' }, ops);
      t.is(created.status, 201, `${name}: ${created.text}`);
      t.is(created.body.name, name);
      t.is((await api.get(`/v1/publishers/${created.body.id}`, ops)).body.name, name, `${name} read back`);
    }
    const { invoiceId } = await publisherWithInvoice(api, ops, finance);
    const reason = 'Duplicate of INV-2026-000001.\r\nRaised again after the correction 🙏';
    t.is((await api.request('PATCH', `/v1/invoices/${invoiceId}`, { token: finance, body: { status: 'void', reason } })).status, 200);
    t.is((await api.get(`/v1/invoices/${invoiceId}`, finance)).body.voidReason, reason);
  });
}

test('/openapi.json shows the text rule on every name and free-text field, and the shape of a cursor', async (t) => {
  const api = await boot(t, 'sqlite', { modules });
  const doc = (await api.get('/openapi.json', null)).body;
  const body = (path: string, method: string) => doc.paths[path][method].requestBody.content['application/json'].schema.properties;
  const nullableText = (schema: { anyOf?: { pattern?: string }[] }) => schema.anyOf?.find((s) => s.pattern)?.pattern;
  t.is(body('/v1/publishers', 'post').name.pattern, SINGLE_LINE_TEXT);
  t.is(body('/v1/publishers/{id}', 'patch').name.pattern, SINGLE_LINE_TEXT);
  t.is(body('/v1/publishers/{id}/apps', 'post').name.pattern, SINGLE_LINE_TEXT);
  t.is(body('/v1/apps/{id}/ad-units', 'post').name.pattern, SINGLE_LINE_TEXT);
  t.is(nullableText(body('/v1/billing-accounts/{publisherId}', 'patch').legalName), SINGLE_LINE_TEXT);
  t.is(nullableText(body('/v1/billing-accounts/{publisherId}', 'patch').taxId), SINGLE_LINE_TEXT);
  t.is(body('/v1/invoices/{id}', 'patch').reason.pattern, MULTI_LINE_TEXT);
  t.is(body('/v1/invoices/{id}/payments', 'post').reference.pattern, SINGLE_LINE_TEXT);
  t.is(nullableText(body('/v1/tokens', 'post').name), SINGLE_LINE_TEXT);
  t.regex(body('/v1/publishers', 'post').name.description, /no control characters, bidirectional overrides or isolates/);
  const cursor = doc.paths['/v1/invoices'].get.parameters.find((p: { name: string }) => p.name === 'cursor');
  t.is(cursor.schema.pattern, '^[A-Za-z0-9_-]+$');
});
