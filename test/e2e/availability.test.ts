/**
 * Operations and Billing as isolated services (stores of their own, events
 * through RabbitMQ): with one down, the other serves. Synchronous calls run
 * Billing → Operations only, so Operations needs nothing from Billing; Billing
 * reads its own data, and an invoice run waits for Operations and resumes.
 */
import test from 'ava';
import { createBillingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { brokerEnv } from '../helpers/broker.ts';
import { dialects } from '../helpers/databases.ts';
import { bootSplit } from '../helpers/split.ts';
import { deliveryRow, eventually, newPublisher } from './harness.ts';

async function bootIsolated(t: Parameters<typeof bootSplit>[0], dialect: (typeof dialects)[number]) {
  const [operations, billing] = await bootSplit(t, dialect, [['operations'], ['billing']], {
    // A failing earnings call is retried once, after 10 ms: only an outage can keep a run waiting.
    modules: [operationsModule, createBillingModule({ retryDelaysMs: [10] })],
    ownStores: true,
    env: brokerEnv(t, ['operations', 'billing']),
    dispatcher: { options: { maxDelayMs: 1_000 } },
    broker: { reconnectMs: 200 },
  });
  const [ops, finance] = [await operations!.token('ops'), await operations!.token('finance')];
  return { operations: operations!, billing: billing!, ops, finance };
}

/** A publisher with March 2025 delivery, its invoice issued and seen by Operations' dashboard. */
async function issuedInvoice(services: Awaited<ReturnType<typeof bootIsolated>>) {
  const { operations, billing, ops, finance } = services;
  const { publisherId, adUnitId } = await newPublisher(operations, ops);
  await operations.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [deliveryRow(adUnitId, '2025-03-01', 5_000_000)] } });
  await eventually(
    () => billing.get(`/v1/billing-accounts/${publisherId}`, finance),
    (r) => r.status === 200,
    'the billing account',
  );
  const run = await billing.post('/v1/invoice-runs', { period: '2025-03' }, finance);
  await eventually(
    () => billing.get(`/v1/invoice-runs/${run.body.id}`, finance),
    (r) => r.body.status === 'succeeded',
    'the run',
  );
  const [draft] = (await billing.get(`/v1/invoices?publisherId=${publisherId}`, finance)).body.data;
  t_is200(await billing.request('PATCH', `/v1/invoices/${draft.id}`, { token: finance, body: { status: 'issued' } }));
  await eventually(
    () => operations.get(`/v1/publishers/${publisherId}/dashboard`, ops),
    (r) => r.body.invoices?.length === 1,
    'the dashboard to show it',
  );
  return { publisherId, adUnitId, invoiceId: draft.id as string };
}

function t_is200(res: { status: number; text: string }) {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.text}`);
}

for (const dialect of dialects) {
  test(`[${dialect}] Billing down: Operations serves every route, its dashboard included, and a token made meanwhile reaches Billing when it returns`, async (t) => {
    const services = await bootIsolated(t, dialect);
    const { operations, billing, ops, finance } = services;
    const { publisherId, adUnitId } = await issuedInvoice(services);
    await billing.stop();

    const apps = await operations.get(`/v1/publishers/${publisherId}/apps`, ops);
    t.is(apps.status, 200);
    for (const path of [
      `/v1/publishers`,
      `/v1/publishers/${publisherId}`,
      `/v1/apps/${apps.body.data[0].id}/ad-units`,
      `/v1/publishers/${publisherId}/earnings?from=2025-03-01&to=2025-03-31`,
    ]) {
      t.is((await operations.get(path, ops)).status, 200, path);
    }
    const dashboard = await operations.get(`/v1/publishers/${publisherId}/dashboard`, ops);
    t.is(dashboard.status, 200);
    t.like(dashboard.body, { outstandingMinor: 350, invoices: [{ status: 'issued', totalMinor: 350 }] });
    t.is(
      (await operations.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [deliveryRow(adUnitId, '2025-04-01', 1)] } }))
        .status,
      200,
    );
    t.is(
      (await operations.request('PATCH', `/v1/publishers/${publisherId}`, { token: ops, body: { name: 'Renamed while Billing was down' } }))
        .status,
      200,
    );
    const made = await operations.post('/v1/tokens', { role: 'finance', name: 'made while Billing was down' });
    t.is(made.status, 201);

    await billing.restart();
    await eventually(
      () => billing.get(`/v1/invoices?publisherId=${publisherId}`, made.body.token),
      (r) => r.status === 200,
      'the new token on Billing',
    );
    await eventually(
      () => billing.get(`/v1/billing-accounts/${publisherId}`, finance),
      (r) => r.body.legalName === 'Renamed while Billing was down',
      'the rename, held in the broker',
    );
  });

  test(`[${dialect}] Operations down: Billing's reads answer from its own data, and an invoice run waits for Operations and resumes`, async (t) => {
    const services = await bootIsolated(t, dialect);
    const { operations, billing, ops, finance } = services;
    const { publisherId, invoiceId } = await issuedInvoice(services);
    const other = await newPublisher(operations, ops);
    await operations.request('PUT', '/v1/delivery-reports', {
      token: ops,
      body: { rows: [deliveryRow(other.adUnitId, '2025-05-02', 7_000_000)] },
    });
    await eventually(
      () => billing.get(`/v1/billing-accounts/${other.publisherId}`, finance),
      (r) => r.status === 200,
      'the second account',
    );
    await operations.stop();

    for (const path of ['/v1/invoices', `/v1/invoices/${invoiceId}`, `/v1/billing-accounts/${publisherId}`]) {
      t.is((await billing.get(path, finance)).status, 200, path);
    }
    const pdf = await fetch(`${billing.url}/v1/invoices/${invoiceId}/pdf`, { headers: { authorization: `Bearer ${finance}` } });
    t.is(pdf.status, 200);
    const queued = await billing.post('/v1/invoice-runs', { period: '2025-05' }, finance);
    t.is(queued.status, 202);
    // The run has taken the page and waits for Operations' earnings: it is running, not failed.
    const waiting = await eventually(
      () => billing.get(`/v1/invoice-runs/${queued.body.id}`, finance),
      (r) => r.body.status === 'running',
      'the run to start',
    );
    t.like(waiting.body, { processed: 0, error: null });
    // A failure would have ended it within milliseconds; a second on, it still waits.
    const since = Date.now();
    const still = await eventually(
      () => billing.get(`/v1/invoice-runs/${queued.body.id}`, finance),
      (r) => r.body.status !== 'running' || Date.now() - since > 1_000,
      'a second of waiting',
    );
    t.like(still.body, { status: 'running', processed: 0 });

    await operations.restart();
    const done = await eventually(
      () => billing.get(`/v1/invoice-runs/${queued.body.id}`, finance),
      (r) => ['succeeded', 'failed'].includes(r.body.status),
      'the run to finish',
      30_000,
    );
    t.like(done.body, { status: 'succeeded', created: 1, failed: 0, error: null });
    t.is((await billing.get(`/v1/invoices?publisherId=${other.publisherId}&period=2025-05`, finance)).body.data[0].totalMinor, 490);
  });
}
