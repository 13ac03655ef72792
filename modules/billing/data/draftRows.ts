/**
 * A draft invoice and its lines as rows for an invoice run's bulk INSERTs, each column declared with its type.
 * Rows are validated (jsonSchema) and mapped to columns by the models' own validator and mappers, as Objection's
 * insert would, on one model instance each: a model per row (fromJson + $toDatabaseJson) cost more than the INSERT.
 */
import type { ColumnTypes } from '../../../src/kernel/index.ts';
import type { DraftLine } from '../draftPlan.ts';
import { Invoice, InvoiceLine } from './models.ts';

/** What a draft fills (the rest is set when it is issued, paid or voided). */
export const DRAFT_COLUMNS: ColumnTypes = {
  id: 'text',
  publisher_id: 'text',
  period: 'text',
  status: 'text',
  currency: 'text',
  total_minor: 'bigint',
  paid_minor: 'bigint',
  revenue_share_bps: 'integer',
  run_id: 'text',
  version: 'integer',
  created_at: 'text',
  updated_at: 'text',
};

export const LINE_COLUMNS: ColumnTypes = {
  invoice_id: 'text',
  position: 'integer',
  app_id: 'text',
  description: 'text',
  impressions: 'bigint',
  gross_micros: 'bigint',
  amount_minor: 'bigint',
};

const invoiceModel = new Invoice();
const lineModel = new InvoiceLine();

export const draftRow = (invoice: Record<string, unknown>) => invoiceModel.$formatDatabaseJson(invoiceModel.$validate(invoice));

export const lineRows = (invoiceId: string, lines: DraftLine[]) =>
  lines.map((line, position) => lineModel.$formatDatabaseJson(lineModel.$validate({ ...line, invoiceId, position })));
