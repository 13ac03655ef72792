/** The Operations module: publishers, apps, ad units, delivery reports, earnings. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asFunction } from 'awilix';
import { defineModule, type CommandSpec, type PlatformCradle } from '../../src/kernel/index.ts';
import { InvoiceIssued, InvoicePaid, InvoiceVoided, PaymentRecorded } from '../billing/contract.ts';
import { makeCatalog, type Catalog } from './catalog.ts';
import { operationsContract } from './contract.ts';
import { forgetVoided, makeDashboard, recordIssued, recordPaid, recordPayout, type Dashboard } from './dashboard.ts';
import { bindModels, type OperationsModels } from './data/models.ts';
import { CSV_HEADER, importDeliveries } from './deliveryImport.ts';
import { makeDeliveryReports, type DeliveryReports } from './deliveryReports.ts';
import { makeMonthCloses, type MonthCloses } from './monthCloses.ts';
import { makeOperationsFacade } from './facade.ts';
import { catalogRoutes } from './http/catalogRoutes.ts';
import { deliveryRoutes } from './http/deliveryRoutes.ts';
import { publisherRoutes } from './http/publisherRoutes.ts';
import { makePublishers, type Publishers } from './publishers.ts';

interface OperationsCradle extends PlatformCradle {
  models: OperationsModels;
  publishers: Publishers;
  catalog: Catalog;
  deliveryReports: DeliveryReports;
  monthCloses: MonthCloses;
  dashboard: Dashboard;
}

function commands(cradle: OperationsCradle): CommandSpec[] {
  return [
    {
      name: 'import deliveries',
      summary: 'Import an ad-network CSV dump (all lines or none)',
      arguments: [{ name: 'file', description: `RFC 4180 CSV with the columns ${CSV_HEADER} (any order)`, file: true }],
      async run({ args }, io) {
        const started = Date.now();
        const result = await importDeliveries(cradle.db, cradle.clock, args.file!, io);
        for (const bad of result.badLines) io.err.write(`line ${bad.line}: ${bad.message}\n`);
        if (result.moreBadLines > 0) io.err.write(`… and ${result.moreBadLines} more bad lines\n`);
        if (result.badLines.length > 0) {
          io.err.write('nothing was written\n');
          return 1;
        }
        const seconds = (Date.now() - started) / 1000;
        io.out.write(`${result.rows.toLocaleString('en-US')} ${result.rows === 1 ? 'row' : 'rows'} imported in ${seconds.toFixed(1)}s\n`);
        return 0;
      },
    },
  ];
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
  commands,
});
