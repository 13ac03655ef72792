/**
 * The Operations module as the host sees it: publishers, apps, ad units, delivery reports, earnings
 * and the publisher's dashboard. Everything it offers other modules is in contract.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asFunction } from 'awilix';
import { defineModule, type EventPayload, type Facade, type PlatformCradle } from '../../src/kernel/index.ts';
import { InvoiceIssued, InvoicePaid, InvoiceVoided, PaymentRecorded } from '../billing/contract.ts';
import { makeCatalog, type Catalog } from './catalog.ts';
import { operationsCommands } from './commands.ts';
import { operationsContract, PublisherUpdated } from './contract.ts';
import { forgetVoided, makeDashboard, recordIssued, recordPaid, recordPayout, type Dashboard } from './dashboard.ts';
import { bindModels, type OperationsModels } from './data/models.ts';
import { makeDeliveryReports, type DeliveryReports } from './deliveryReports.ts';
import { makeEarnings, type Earnings } from './earnings.ts';
import { makeOperationsFacade } from './facade.ts';
import { catalogRoutes } from './http/catalogRoutes.ts';
import { deliveryRoutes } from './http/deliveryRoutes.ts';
import { publisherRoutes } from './http/publisherRoutes.ts';
import { makeMonthCloses, type MonthCloses } from './monthCloses.ts';
import { makePublishers, type Publishers } from './publishers.ts';

interface OperationsCradle extends PlatformCradle {
  models: OperationsModels;
  publishers: Publishers;
  catalog: Catalog;
  earnings: Earnings;
  deliveryReports: DeliveryReports;
  monthCloses: MonthCloses;
  dashboard: Dashboard;
}

export const operationsModule = defineModule<OperationsCradle>({
  name: 'operations',
  migrations: path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'),
  provides: operationsContract,
  // Operations calls no other module: its dashboard reads its own view of Billing's events.
  uses: [],
  register(container) {
    container.register({
      models: asFunction(({ db }: PlatformCradle) => bindModels(db.knex)).singleton(),
      publishers: asFunction(makePublishers).singleton(),
      catalog: asFunction(makeCatalog).singleton(),
      earnings: asFunction(makeEarnings).singleton(),
      deliveryReports: asFunction(makeDeliveryReports).singleton(),
      monthCloses: asFunction(makeMonthCloses).singleton(),
      dashboard: asFunction(makeDashboard).singleton(),
    });
  },
  facade: makeOperationsFacade,
  routes: (c) => [...publisherRoutes(c.publishers), ...catalogRoutes(c.catalog), ...deliveryRoutes(c)],
  subscriptions: [
    // Issuing closes the month synchronously (facade closeMonth); voiding reopens it through this event.
    { event: InvoiceVoided, handler: 'reopenMonth', handle: ({ monthCloses }) => monthCloses.reopenMonth },
    // The dashboard's view of the publisher's invoices: one handler, so a publisher's invoice events arrive in order.
    { event: InvoiceIssued, handler: 'invoiceView', handle: () => recordIssued },
    { event: PaymentRecorded, handler: 'invoiceView', handle: () => recordPayout },
    { event: InvoicePaid, handler: 'invoiceView', handle: () => recordPaid },
    { event: InvoiceVoided, handler: 'invoiceView', handle: () => forgetVoided },
  ],
  commands: (cradle) => operationsCommands(cradle),
  // The platform refuses suspended publishers' tokens: it learns their status from here.
  publisherStatuses: {
    event: PublisherUpdated,
    statusSet: ({ publisherId, status, version, changed }: EventPayload<typeof PublisherUpdated>) =>
      changed.includes('status') ? { publisherId, status, version } : null,
    read: async (operationsFacade: Facade<typeof operationsContract>, ids: string[]) =>
      (await operationsFacade.publishersByIds({ ids })).map((p) => ({ publisherId: p.id, status: p.status })),
  },
});
