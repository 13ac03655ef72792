/** Bulk delivery reports, earnings and the publisher dashboard. */
import { Day, Strict, Type, assertCanSee, route } from '../../../src/kernel/index.ts';
import type { Dashboard } from '../dashboard.ts';
import { MAX_DELIVERY_ROWS, type DeliveryReports } from '../deliveryReports.ts';
import type { Earnings } from '../earnings.ts';
import { publisherNotFound } from '../errors.ts';
import { Dashboard as DashboardSchema, DeliveryReports as DeliveryReportsBody, Earnings as EarningsSchema, IdParam } from './schemas.ts';

/** 10,000 rows of the largest legal values, pretty-printed, fit with room to spare. */
const DELIVERY_BODY_LIMIT = MAX_DELIVERY_ROWS * 256;

interface DeliveryRoutesDeps {
  deliveryReports: DeliveryReports;
  earnings: Earnings;
  dashboard: Dashboard;
}

export function deliveryRoutes({ deliveryReports, earnings, dashboard }: DeliveryRoutesDeps) {
  return [
    route({
      method: 'put',
      path: '/v1/delivery-reports',
      summary: 'Upsert up to 10,000 daily delivery rows by (adUnitId, date): all or nothing, every problem in one answer',
      roles: ['ops'],
      body: DeliveryReportsBody,
      // Format, rule and reference problems of every row are reported together.
      bodyCheck: 'handler',
      bodyLimit: DELIVERY_BODY_LIMIT,
      responses: { 200: Type.Object({ accepted: Type.Integer() }) },
      errors: [409],
      handler: async ({ body }) => ({ body: await deliveryReports.put(body) }),
    }),
    route({
      method: 'get',
      path: '/v1/publishers/:id/earnings',
      summary: "A publisher's earnings between two days (inclusive), by app and in total",
      roles: ['ops', 'finance', 'publisher'],
      params: IdParam,
      query: Strict({ from: Day, to: Day }),
      responses: { 200: EarningsSchema },
      handler: async ({ params, query, caller }) => {
        assertCanSee(caller, params.id, () => publisherNotFound(params.id));
        return { body: await earnings.ofPublisher(params.id, query.from, query.to) };
      },
    }),
    route({
      method: 'get',
      path: '/v1/publishers/:id/dashboard',
      summary: "A publisher's month to date, latest invoices, outstanding balance and last payment",
      roles: ['ops', 'publisher'],
      params: IdParam,
      responses: { 200: DashboardSchema },
      handler: async ({ params, caller }) => {
        assertCanSee(caller, params.id, () => publisherNotFound(params.id));
        return { body: await dashboard.forPublisher(params.id) };
      },
    }),
  ];
}
