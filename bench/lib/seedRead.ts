/**
 * The data set of the read benchmarks (hot read path, dashboard, footprint):
 * N publishers, 3 apps with one ad unit each, this month's daily delivery,
 * billing accounts, and 12 issued or paid invoices of 3 lines per publisher,
 * with Operations' own view of them (`publisher_invoices`, `last_payments`)
 * as Billing's events would have left it: the dashboard reads only that view.
 * Written straight into the tables seams' migrations made; tokens through seams.
 */
import type { Knex } from 'knex';
import type { App } from '../../src/app.ts';
import { newId } from '../../src/kernel/index.ts';
import type { BenchDatabase } from './databases.ts';

export interface ReadData {
  publisherIds: string[];
  financeToken: string;
  opsToken: string;
}

const insert = (knex: Knex, table: string, rows: object[]) => knex.batchInsert(table, rows, 500);

/** The month `back` months before `month` (YYYY-MM). */
export function monthBefore(month: string, back: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export async function seedReadData(db: BenchDatabase, app: App, options: { publishers: number; invoicesEach: number }): Promise<ReadData> {
  const now = new Date();
  const stamp = now.toISOString();
  const thisMonth = stamp.slice(0, 7);
  const today = Number(stamp.slice(8, 10));
  const ops = app.databases.get('operations')!.knex;
  const billing = app.databases.get('billing')!.knex;

  const publishers: object[] = [];
  const apps: object[] = [];
  const units: object[] = [];
  const delivery: object[] = [];
  const accounts: object[] = [];
  const invoices: object[] = [];
  const lines: object[] = [];
  const lastPayments: object[] = [];
  const invoiceViews: object[] = [];
  const publisherIds: string[] = [];
  let number = 0;
  for (let p = 0; p < options.publishers; p++) {
    const id = newId('pub');
    publisherIds.push(id);
    const name = `Publisher ${p}`;
    const email = `money${p}@publisher.example`;
    publishers.push({
      id,
      name,
      contact_email: email,
      country: 'FI',
      revenue_share_bps: 7000,
      status: 'active',
      version: 1,
      created_at: stamp,
      updated_at: stamp,
    });
    accounts.push({
      publisher_id: id,
      publisher_name: name,
      contact_email: email,
      legal_name_override: null,
      billing_email_override: null,
      currency: 'USD',
      payment_terms_days: 30,
      tax_id: null,
      version: 1,
      created_at: stamp,
      updated_at: stamp,
    });
    const appIds: string[] = [];
    for (let a = 0; a < 3; a++) {
      const appId = newId('app');
      appIds.push(appId);
      apps.push({
        id: appId,
        publisher_id: id,
        name: `Game ${p}.${a}`,
        platform: 'android',
        bundle_id: `com.publisher${p}.game${a}`,
        created_at: stamp,
      });
      const unitId = newId('adu');
      units.push({ id: unitId, app_id: appId, name: 'feed', format: 'native', floor_cpm_micros: 0, created_at: stamp });
      for (let day = 1; day <= today; day++) {
        delivery.push({
          ad_unit_id: unitId,
          day: `${thisMonth}-${String(day).padStart(2, '0')}`,
          impressions: 10_000 + day,
          clicks: 90,
          revenue_micros: 20_000_000 + day,
        });
      }
    }
    for (let i = options.invoicesEach; i >= 1; i--) {
      const period = monthBefore(thisMonth, i);
      const invoiceId = newId('inv');
      const paid = i > 2;
      const issuedAt = `${monthBefore(period, -1)}-03T09:00:00.000Z`;
      const bill = { legalName: name, billingEmail: email, taxId: null, paymentTermsDays: 30 };
      const invoice = {
        status: paid ? 'paid' : 'issued',
        currency: 'USD',
        total_minor: 3 * 42_000,
        paid_minor: paid ? 3 * 42_000 : 0,
        number: `INV-${issuedAt.slice(0, 4)}-${String(++number).padStart(6, '0')}`,
        issued_at: issuedAt,
        due_at: `${monthBefore(period, -2)}-02`,
      };
      invoices.push({
        id: invoiceId,
        publisher_id: id,
        period,
        ...invoice,
        revenue_share_bps: 7000,
        bill_to: JSON.stringify(bill),
        paid_at: paid ? `${monthBefore(period, -1)}-20T12:00:00.000Z` : null,
        voided_at: null,
        void_reason: null,
        run_id: null,
        version: paid ? 3 : 2,
        created_at: issuedAt,
        updated_at: issuedAt,
      });
      invoiceViews.push({ invoice_id: invoiceId, publisher_id: id, period, ...invoice });
      appIds.forEach((appId, position) =>
        lines.push({
          invoice_id: invoiceId,
          position,
          app_id: appId,
          description: `Game ${p}.${position}`,
          impressions: 300_000,
          gross_micros: 600_000_000,
          amount_minor: 42_000,
        }),
      );
      if (i === 3) lastPayments.push({ publisher_id: id, invoice_id: invoiceId, paid_at: `${monthBefore(period, -1)}-20T12:00:00.000Z` });
    }
  }
  await insert(ops, 'publishers', publishers);
  await insert(ops, 'apps', apps);
  await insert(ops, 'ad_units', units);
  await insert(ops, 'delivery_reports', delivery);
  await insert(ops, 'publisher_invoices', invoiceViews);
  await insert(ops, 'last_payments', lastPayments);
  await insert(billing, 'billing_accounts', accounts);
  await insert(billing, 'invoices', invoices);
  await insert(billing, 'invoice_lines', lines);
  if (db.dialect === 'postgres') {
    for (const knex of [ops, billing]) await knex.raw('ANALYZE');
  }
  const financeToken = (await app.tokens.create({ role: 'finance', name: 'bench finance' })).token;
  const opsToken = (await app.tokens.create({ role: 'ops', name: 'bench ops' })).token;
  return { publisherIds, financeToken, opsToken };
}
