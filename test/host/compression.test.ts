import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { isCompressible } from '../../src/platform/http/compression.ts';
import { seed } from '../hardening/seed.ts';
import { boot } from '../helpers/server.ts';

interface Raw {
  status: number;
  encoding: string | undefined;
  vary: string | undefined;
  type: string;
  /** The bytes as they crossed the wire. */
  wire: Buffer;
  /** The body after undoing the content encoding. */
  body: Buffer;
}

const DECODE: Record<string, (b: Buffer) => Buffer> = {
  gzip: zlib.gunzipSync,
  br: zlib.brotliDecompressSync,
  ...('zstdDecompressSync' in zlib && { zstd: (zlib as unknown as { zstdDecompressSync: (b: Buffer) => Buffer }).zstdDecompressSync }),
};

/** A GET over node:http, which (unlike fetch) shows the encoded bytes as they came. */
function getRaw(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const wire = Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'];
          resolve({
            status: res.statusCode!,
            encoding,
            vary: res.headers.vary,
            type: String(res.headers['content-type'] ?? ''),
            wire,
            body: encoding ? DECODE[encoding]!(wire) : wire,
          });
        });
      })
      .on('error', reject);
  });
}

const bundleFile = path.join(path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')), 'swagger-ui-bundle.js');

test('the docs bundle goes out compressed in each encoding the client accepts, byte-identical once decoded, and whole to a client that accepts none', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingModule] });
  const original = fs.readFileSync(bundleFile);
  for (const encoding of Object.keys(DECODE)) {
    const res = await getRaw(`${api.url}/docs/swagger-ui-bundle.js`, { 'accept-encoding': encoding });
    t.is(res.status, 200);
    t.is(res.encoding, encoding);
    t.regex(res.vary ?? '', /accept-encoding/i);
    t.true(res.wire.length < original.length / 3, `${encoding}: ${res.wire.length} bytes on the wire for ${original.length}`);
    t.true(res.body.equals(original), encoding);
  }
  const plain = await getRaw(`${api.url}/docs/swagger-ui-bundle.js`);
  t.is(plain.encoding, undefined);
  t.regex(plain.vary ?? '', /accept-encoding/i, 'the answer depends on the header even when it is absent');
  t.true(plain.wire.equals(original));
  // A browser's usual header picks one of them.
  t.truthy((await getRaw(`${api.url}/docs/swagger-ui.css`, { 'accept-encoding': 'gzip, deflate, br, zstd' })).encoding);
});

test('JSON past 1 KiB is compressed (the OpenAPI document, an API list), small answers are not, PDFs never are', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingModule] });
  const seeded = await seed(api);
  const accept = { 'accept-encoding': 'gzip' };

  const document = await getRaw(`${api.url}/openapi.json`, accept);
  t.is(document.encoding, 'gzip');
  t.is(JSON.parse(document.body.toString('utf8')).openapi, '3.1.0');

  const list = await getRaw(`${api.url}/v1/invoices?limit=100`, { ...accept, authorization: `Bearer ${seeded.tokens.finance}` });
  t.is(list.status, 200);
  t.true(list.body.length > 1024, `${list.body.length} bytes`);
  t.is(list.encoding, 'gzip');
  t.is(JSON.parse(list.body.toString('utf8')).data.length, 4);
  const plain = await getRaw(`${api.url}/v1/invoices?limit=100`, { authorization: `Bearer ${seeded.tokens.finance}` });
  t.like(plain, { status: 200, encoding: undefined, vary: 'Accept-Encoding, Authorization' });
  t.true(plain.wire.equals(list.body), 'without Accept-Encoding: the same JSON, as it is');

  const health = await getRaw(`${api.url}/health`, accept);
  t.is(health.status, 200);
  t.is(health.encoding, undefined, 'under 1 KiB: not worth a compressor');

  const [publisher] = seeded.publishers;
  const pdf = await getRaw(`${api.url}/v1/invoices/${publisher.invoiceId}/pdf`, { ...accept, authorization: `Bearer ${publisher.token}` });
  t.is(pdf.status, 200);
  t.regex(pdf.type, /^application\/pdf/);
  t.is(pdf.encoding, undefined);
  t.is(pdf.wire.subarray(0, 5).toString(), '%PDF-');
});

test('what is compressible: text, JSON, problems, scripts and SVG; never PDFs, images or event streams', (t) => {
  for (const type of [
    'application/json; charset=utf-8',
    'application/problem+json',
    'application/javascript; charset=utf-8',
    'text/css; charset=utf-8',
    'text/html',
    'text/plain; version=0.0.4',
    'image/svg+xml',
  ]) {
    t.true(isCompressible(type), type);
  }
  for (const type of [
    'application/pdf',
    'text/event-stream',
    'image/png',
    'application/octet-stream',
    'application/jsonlines-but-not-json',
  ]) {
    t.false(isCompressible(type), type);
  }
});
