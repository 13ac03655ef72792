/**
 * Real data for the hardening suites, made through the public API only: two
 * publishers, each with an app, an ad unit, March 2026 delivery, an issued
 * March invoice, a draft April invoice and a publisher token; plus tokens of
 * every role and one invoice run.
 */
import type { Client } from '../helpers/server.ts';
import { BOOTSTRAP } from '../helpers/server.ts';
import { eventually, runInvoices, seedPublisher } from '../e2e/harness.ts';

export interface SeededPublisher {
  publisherId: string;
  appId: string;
  adUnitId: string;
  /** Issued (March 2026). */
  invoiceId: string;
  /** Still a draft (April 2026): a publisher may not see it. */
  draftInvoiceId: string;
  /** A publisher token bound to this publisher. */
  token: string;
}

export interface Seeded {
  tokens: { admin: string; bootstrap: string; ops: string; finance: string };
  publishers: [SeededPublisher, SeededPublisher];
  runId: string;
}

async function expectStatus(what: string, status: number, call: Promise<{ status: number; text: string; body: any }>) {
  const res = await call;
  if (res.status !== status) throw new Error(`seeding: ${what} answered ${res.status}: ${res.text}`);
  return res.body;
}

export async function seed(api: Client): Promise<Seeded> {
  const [admin, ops, finance] = [await api.token('admin'), await api.token('ops'), await api.token('finance')];
  const made = [await seedPublisher(api, ops), await seedPublisher(api, ops)];
  for (const p of made) {
    // April delivery too, so an April run leaves a draft next to the issued March invoice.
    const row = { adUnitId: p.adUnitId, date: '2026-04-02', impressions: 5_000, clicks: 50, revenueMicros: 2_000_000 };
    await expectStatus('April delivery', 200, api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [row] } }));
    await eventually(
      () => api.get(`/v1/billing-accounts/${p.publisherId}`, finance),
      (r) => r.status === 200,
      'billing accounts',
    );
  }
  const march = await runInvoices(api, finance, '2026-03');
  if (march.body.status !== 'succeeded') throw new Error(`seeding: the March run ${march.body.status}`);
  await runInvoices(api, finance, '2026-04');

  const publishers = [];
  for (const p of made) {
    const invoiceOf = async (period: string) => {
      const list = await expectStatus('invoice list', 200, api.get(`/v1/invoices?publisherId=${p.publisherId}&period=${period}`, finance));
      return list.data[0].id as string;
    };
    const invoiceId = await invoiceOf('2026-03');
    await expectStatus('issue', 200, api.request('PATCH', `/v1/invoices/${invoiceId}`, { token: finance, body: { status: 'issued' } }));
    publishers.push({ ...p, invoiceId, draftInvoiceId: await invoiceOf('2026-04'), token: await api.token('publisher', p.publisherId) });
  }
  return {
    tokens: { admin, bootstrap: BOOTSTRAP, ops, finance },
    publishers: publishers as [SeededPublisher, SeededPublisher],
    runId: march.body.id,
  };
}
