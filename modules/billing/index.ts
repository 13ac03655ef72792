/**
 * The Billing module as the host sees it: billing accounts, invoice runs,
 * invoices, payments and PDFs. Everything it offers other modules is in
 * contract.ts; it reaches Operations only through operationsContract.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asFunction, asValue } from 'awilix';
import { defineModule, type BackgroundWorker, type Facade, type PlatformCradle } from '../../src/kernel/index.ts';
import { operationsContract, PublisherRegistered, PublisherUpdated } from '../operations/contract.ts';
import { makeBillingAccounts, type BillingAccounts } from './accounts.ts';
import { billingCommands } from './commands.ts';
import { billingContract } from './contract.ts';
import { bindModels, type BillingModels } from './data/models.ts';
import { makeDraftInvoices, type DraftInvoices } from './draftInvoices.ts';
import { makeBillingFacade } from './facade.ts';
import { billingRoutes } from './http/routes.ts';
import { DEFAULT_ISSUE_OPTIONS, makeInvoiceIssue, type InvoiceIssue, type IssueOptions } from './invoiceIssue.ts';
import { makeInvoiceLifecycle, type InvoiceLifecycle } from './invoiceLifecycle.ts';
import { makeInvoiceRunner, type InvoiceRunner } from './invoiceRunner.ts';
import { makeInvoiceRuns, type InvoiceRuns } from './invoiceRuns.ts';
import { makeInvoiceRunWorker, type InvoiceRunWorker } from './invoiceRunWorker.ts';
import { makeInvoices, type Invoices } from './invoices.ts';
import { makeIssueRecoveryWorker } from './issueRecoveryWorker.ts';
import { makePayments, type Payments } from './payments.ts';
import { invoiceRunGauges } from './runGauges.ts';
import { DEFAULT_RUN_OPTIONS, type InvoiceRunOptions } from './runOptions.ts';
import { BillingSettings } from './settings.ts';

export interface BillingCradle extends PlatformCradle {
  operationsFacade: Facade<typeof operationsContract>;
  settings: BillingSettings;
  runOptions: InvoiceRunOptions;
  issueOptions: IssueOptions;
  models: BillingModels;
  billingAccounts: BillingAccounts;
  invoices: Invoices;
  invoiceLifecycle: InvoiceLifecycle;
  invoiceIssue: InvoiceIssue;
  issueRecoveryWorker: BackgroundWorker;
  payments: Payments;
  draftInvoices: DraftInvoices;
  invoiceRuns: InvoiceRuns;
  invoiceRunner: InvoiceRunner;
  invoiceRunWorker: InvoiceRunWorker;
}

const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * The module; tests pass smaller run pages or leases, or a faster issue recovery (`issue`); production uses
 * the defaults (`billingModule`).
 */
export function createBillingModule({ issue, ...options }: Partial<InvoiceRunOptions> & { issue?: Partial<IssueOptions> } = {}) {
  return defineModule<BillingCradle>({
    name: 'billing',
    migrations,
    settings: BillingSettings,
    provides: billingContract,
    uses: [operationsContract],
    register(container) {
      container.register({
        runOptions: asValue({ ...DEFAULT_RUN_OPTIONS, ...options }),
        issueOptions: asValue({ ...DEFAULT_ISSUE_OPTIONS, ...issue }),
        // Bound to this app's Knex: several apps (tests) may share the process, each with its own database.
        models: asFunction(({ db }: BillingCradle) => bindModels(db.knex)).singleton(),
        billingAccounts: asFunction(makeBillingAccounts).singleton(),
        invoices: asFunction(makeInvoices).singleton(),
        invoiceLifecycle: asFunction(makeInvoiceLifecycle).singleton(),
        invoiceIssue: asFunction(makeInvoiceIssue).singleton(),
        issueRecoveryWorker: asFunction(makeIssueRecoveryWorker).singleton(),
        payments: asFunction(makePayments).singleton(),
        draftInvoices: asFunction(makeDraftInvoices).singleton(),
        invoiceRuns: asFunction(makeInvoiceRuns).singleton(),
        invoiceRunner: asFunction(makeInvoiceRunner).singleton(),
        invoiceRunWorker: asFunction(makeInvoiceRunWorker).singleton(),
      });
    },
    facade: makeBillingFacade,
    routes: (cradle) => billingRoutes(cradle),
    subscriptions: [
      {
        event: PublisherRegistered,
        // One handler for both, so a publisher's registration is never applied after a later update.
        handler: 'billingAccount',
        handle:
          ({ billingAccounts }) =>
          (event, trx) =>
            billingAccounts.recordPublisher(trx, event.payload),
      },
      {
        event: PublisherUpdated,
        handler: 'billingAccount',
        handle:
          ({ billingAccounts }) =>
          (event, trx) =>
            billingAccounts.recordPublisher(trx, event.payload),
      },
    ],
    commands: (cradle) => billingCommands(cradle),
    workers: ({ invoiceRunWorker, issueRecoveryWorker }) => [invoiceRunWorker, issueRecoveryWorker],
    gauges: invoiceRunGauges,
  });
}

export const billingModule = createBillingModule();
