import test from 'ava';
import { boot } from '../helpers/server.ts';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { billingStubModule } from '../fixtures/modules/billingStub/index.ts';

test('/openapi.json documents every mounted route with its roles, schemas and problems', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingStubModule] });
  const res = await api.get('/openapi.json', null);
  t.is(res.status, 200);
  const doc = res.body;
  t.is(doc.openapi, '3.1.0');
  const mounted = api.app.modules.flatMap((m) => m.routes).map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m} ${path}`),
  );
  for (const route of [...mounted, 'post /v1/tokens', 'get /v1/tokens', 'delete /v1/tokens/{id}'])
    t.true(documented.includes(route), route);

  const patch = doc.paths['/v1/publishers/{id}'].patch;
  t.deepEqual(patch['x-roles'], ['admin', 'ops']);
  for (const status of ['200', '400', '401', '403', '404', '412', '413', '422', '429', '500', '503'])
    t.truthy(patch.responses[status], status);
  t.is(patch.requestBody.content['application/json'].schema.additionalProperties, false);
  t.is(patch.parameters[0].name, 'id');
  const earnings = doc.paths['/v1/publishers/{id}/earnings'].get;
  t.deepEqual(
    earnings.parameters
      .filter((p: { in: string }) => p.in === 'query')
      .map((p: { name: string; required: boolean }) => [p.name, p.required]),
    [
      ['from', true],
      ['to', true],
    ],
  );
  t.truthy(doc.components.schemas.Problem);
});

test('/openapi.json: readable operation ids, a server, and the 401/403/429/500/503 problems on every operation they apply to', async (t) => {
  const api = await boot(t, 'sqlite', { modules: [operationsModule, billingModule] });
  const doc = (await api.get('/openapi.json', null)).body;
  t.deepEqual(doc.servers, [{ url: '/', description: 'The server that serves this document' }]);

  const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ where: `${method} ${path}`, op })),
  );
  const ids = operations.map(({ op }) => op.operationId as string);
  t.is(new Set(ids).size, ids.length, 'operation ids are unique');
  for (const id of ids) t.regex(id, /^[a-z][a-zA-Z]+$/);
  const idOf = Object.fromEntries(operations.map(({ where, op }) => [where, op.operationId]));
  t.like(idOf, {
    'get /v1/invoices': 'listInvoices',
    'get /v1/invoices/{id}': 'getInvoice',
    'patch /v1/invoices/{id}': 'issueOrVoidInvoice',
    'post /v1/invoices/{id}/payments': 'recordPayment',
    'get /v1/invoices/{id}/pdf': 'getInvoicePdf',
    'post /v1/invoice-runs': 'startInvoiceRun',
    'get /v1/invoice-runs/{id}': 'getInvoiceRun',
    'get /v1/billing-accounts/{publisherId}': 'getBillingAccount',
    'patch /v1/billing-accounts/{publisherId}': 'updateBillingAccount',
    'post /v1/publishers': 'registerPublisher',
    'get /v1/publishers': 'listPublishers',
    'get /v1/publishers/{id}/apps': 'listPublisherApps',
    'get /v1/apps/{id}/ad-units': 'listAppAdUnits',
    'put /v1/delivery-reports': 'upsertDeliveryReports',
    'post /v1/tokens': 'createToken',
    'delete /v1/tokens/{id}': 'revokeToken',
  });

  for (const { where, op } of operations.filter(({ where }) => where.includes('/v1/'))) {
    for (const status of ['401', '429', '500', '503']) {
      t.is(op.responses[status]?.content?.['application/problem+json']?.schema?.$ref, '#/components/schemas/Problem', `${where} ${status}`);
    }
    // 403 everywhere: a role the route does not admit, or a suspended publisher's token on any route.
    t.truthy(op.responses['403'], `${where} 403`);
  }
  t.regex(doc.paths['/v1/invoices'].get.responses['429'].description, /Retry-After/);
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
