import test from 'ava';
import { boot } from '../helpers/server.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { billingStubModule } from '../fixtures/modules/billingStub/index.ts';

test('/openapi.json documents every mounted route with its roles, schemas and problems', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingStubModule] });
  const res = await api.get('/openapi.json', null);
  t.is(res.status, 200);
  const doc = res.body;
  t.is(doc.openapi, '3.1.0');
  const mounted = api.app.modules.flatMap((m) => m.routes).map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
  for (const route of [...mounted, 'post /v1/tokens', 'get /v1/tokens', 'delete /v1/tokens/{id}']) t.true(documented.includes(route), route);

  const patch = doc.paths['/v1/publishers/{id}'].patch;
  t.deepEqual(patch['x-roles'], ['admin', 'ops']);
  t.deepEqual(Object.keys(patch.responses).sort(), ['200', '400', '401', '403', '404', '412', '413', '422']);
  t.is(patch.requestBody.content['application/json'].schema.additionalProperties, false);
  t.is(patch.parameters[0].name, 'id');
  const earnings = doc.paths['/v1/publishers/{id}/earnings'].get;
  t.deepEqual(earnings.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string; required: boolean }) => [p.name, p.required]), [['from', true], ['to', true]]);
  t.truthy(doc.components.schemas.Problem);
});

test('/docs serves an API reference page and its assets from this host', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingStubModule] });
  const page = await api.get('/docs', null);
  t.is(page.status, 200);
  t.regex(page.text, /<script src="\/docs\/swagger-ui-bundle.js"><\/script>/);
  t.notRegex(page.text, /https?:\/\//, 'no CDN');
  t.regex((await api.get('/docs/init.js', null)).text, /url: '\/openapi.json'/);
  const bundle = await fetch(`${api.url}/docs/swagger-ui-bundle.js`);
  t.is(bundle.status, 200);
  t.true((await bundle.arrayBuffer()).byteLength > 100_000);
  t.is((await api.get('/docs/../../package.json', null)).status, 404);
  t.is((await api.get('/docs/secret.txt', null)).status, 404);
});
