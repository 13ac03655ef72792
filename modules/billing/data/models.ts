/**
 * Billing's Objection models. One base model for the module; the classes are
 * bound to this app's Knex by bindModels() (several apps — tests — share one
 * process, so the global Model.knex() is never set).
 */
import type { Knex } from 'knex';
import { Model, snakeCaseMappers, type JSONSchema, type Pojo, type RelationMappings } from 'objection';
import { jsonIntegerOf } from '../../../src/kernel/index.ts';

export type InvoiceStatus = 'draft' | 'issued' | 'paid' | 'void';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface BillTo {
  legalName: string;
  billingEmail: string;
  taxId: string | null;
  /** The supplier's postal address (absent on invoices issued before addresses were kept). */
  address?: string | null;
  paymentTermsDays: number;
}

// Validated on insert and patch: the constraints a bug could break, not every column.
const nonNegative: JSONSchema = { type: 'integer', minimum: 0 };

class BillingModel extends Model {
  static override columnNameMappers = snakeCaseMappers();
  /** bigint columns: PostgreSQL returns them as strings; they become exact JSON numbers here. */
  static bigIntegerProperties: string[] = [];

  override $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json);
    for (const property of (this.constructor as typeof BillingModel).bigIntegerProperties) {
      const value = parsed[property];
      if (typeof value === 'string' || typeof value === 'bigint') parsed[property] = jsonIntegerOf(value);
    }
    return parsed;
  }
}

export class BillingAccount extends BillingModel {
  static override tableName = 'billing_accounts';
  static override idColumn = 'publisher_id';

  declare publisherId: string;
  declare publisherName: string;
  declare contactEmail: string;
  declare legalNameOverride: string | null;
  declare billingEmailOverride: string | null;
  declare currency: string;
  declare paymentTermsDays: number;
  declare taxId: string | null;
  declare address: string | null;
  declare version: number;
  declare createdAt: string;
  declare updatedAt: string;

  static override jsonSchema: JSONSchema = {
    type: 'object',
    required: ['publisherId', 'publisherName', 'contactEmail', 'version', 'createdAt', 'updatedAt'],
    properties: {
      currency: { type: 'string', minLength: 3, maxLength: 3 },
      paymentTermsDays: { type: 'integer', minimum: 0 },
      version: { type: 'integer', minimum: 1 },
    },
  };
}

export class InvoiceLine extends BillingModel {
  static override tableName = 'invoice_lines';
  static override idColumn = ['invoice_id', 'position'];
  static override bigIntegerProperties = ['impressions', 'grossMicros', 'amountMinor'];

  declare invoiceId: string;
  declare position: number;
  declare appId: string;
  declare description: string;
  declare impressions: number;
  declare grossMicros: number;
  declare amountMinor: number;

  static override jsonSchema: JSONSchema = {
    type: 'object',
    required: ['invoiceId', 'position', 'appId', 'description', 'impressions', 'grossMicros', 'amountMinor'],
    properties: { impressions: nonNegative, grossMicros: nonNegative, amountMinor: nonNegative },
  };
}

export class Payment extends BillingModel {
  static override tableName = 'payments';
  static override bigIntegerProperties = ['amountMinor'];

  declare id: string;
  declare invoiceId: string;
  declare amountMinor: number;
  /** The day the payout was sent. */
  declare paidOn: string;
  /** The payout's bank reference: one payment per reference and invoice. */
  declare bankReference: string;
  declare recordedBy: string | null;
  declare createdAt: string;

  static override jsonSchema: JSONSchema = {
    type: 'object',
    required: ['id', 'invoiceId', 'amountMinor', 'paidOn', 'bankReference', 'createdAt'],
    properties: { amountMinor: { type: 'integer', minimum: 1 } },
  };
}

export class Invoice extends BillingModel {
  static override tableName = 'invoices';
  static override bigIntegerProperties = ['totalMinor', 'paidMinor'];
  static override jsonAttributes = ['billTo'];

  declare id: string;
  declare publisherId: string;
  declare period: string;
  declare status: InvoiceStatus;
  declare currency: string;
  declare totalMinor: number;
  declare paidMinor: number;
  declare revenueShareBps: number;
  declare number: string | null;
  declare billTo: BillTo | null;
  declare issuedAt: string | null;
  declare dueAt: string | null;
  declare paidAt: string | null;
  declare voidedAt: string | null;
  declare voidReason: string | null;
  declare runId: string | null;
  declare version: number;
  declare createdAt: string;
  declare updatedAt: string;
  declare lines?: InvoiceLine[];

  static override jsonSchema: JSONSchema = {
    type: 'object',
    required: ['id', 'publisherId', 'period', 'status', 'currency', 'totalMinor', 'revenueShareBps', 'version', 'createdAt', 'updatedAt'],
    properties: {
      status: { enum: ['draft', 'issued', 'paid', 'void'] },
      totalMinor: nonNegative,
      paidMinor: nonNegative,
      revenueShareBps: { type: 'integer', minimum: 0, maximum: 10_000 },
      billTo: { type: ['object', 'null'] },
      version: { type: 'integer', minimum: 1 },
    },
  };

  static override relationMappings = (): RelationMappings => ({
    lines: {
      relation: Model.HasManyRelation,
      modelClass: InvoiceLine,
      join: { from: 'invoices.id', to: 'invoice_lines.invoice_id' },
      modify: (query) => query.orderBy('position'),
    },
  });
}

export class InvoiceRun extends BillingModel {
  static override tableName = 'invoice_runs';

  declare id: string;
  declare period: string;
  declare status: RunStatus;
  declare total: number;
  declare processed: number;
  declare created: number;
  declare updated: number;
  declare skipped: number;
  declare failed: number;
  declare cursor: string | null;
  declare owner: string | null;
  declare leaseUntil: string | null;
  declare attempts: number;
  declare error: string | null;
  declare requestedBy: string | null;
  declare createdAt: string;
  declare startedAt: string | null;
  declare finishedAt: string | null;
  declare updatedAt: string;

  static override jsonSchema: JSONSchema = {
    type: 'object',
    required: ['id', 'period', 'status', 'createdAt', 'updatedAt'],
    properties: { status: { enum: ['queued', 'running', 'succeeded', 'failed'] } },
  };
}

/** The module's models bound to one app's Knex; pass a transaction to query() to work inside it. */
export function bindModels(knex: Knex) {
  return {
    BillingAccount: BillingAccount.bindKnex(knex),
    Invoice: Invoice.bindKnex(knex),
    InvoiceLine: InvoiceLine.bindKnex(knex),
    Payment: Payment.bindKnex(knex),
    InvoiceRun: InvoiceRun.bindKnex(knex),
  };
}

export type BillingModels = ReturnType<typeof bindModels>;
