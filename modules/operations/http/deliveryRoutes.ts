/** Bulk delivery reports, earnings and the publisher dashboard. */
import { Day, Strict, Type, assertCanSee, invalid, route, type ModuleDatabase } from '../../../src/kernel/index.ts';
import type { Dashboard } from '../dashboard.ts';
import type { DeliveryReports } from '../deliveryReports.ts';
import { earningsBetween } from '../earnings.ts';
import { publisherNotFound } from '../publishers.ts';
import { MAX_DELIVERY_ROWS } from '../deliveryReports.ts';
import { Dashboard as DashboardSchema, DeliveryReports as DeliveryReportsBody, Earnings, IdParam } from './schemas.ts';

/** 10,000 rows of the largest legal values, pretty-printed, fit with room to spare. */
export const DELIVERY_BODY_LIMIT = MAX_DELIVERY_ROWS * 256;

export function deliveryRoutes({ db, deliveryReports, dashboard }: { db: ModuleDatabase; deliveryReports: DeliveryReports; dashboard: Dashboard }) {
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
      responses: { 200: Earnings },
      handler: async ({ params, query, caller }) => {
        assertCanSee(caller, params.id, () => publisherNotFound(params.id));
        if (query.from > query.to) {
          throw invalid('OPERATIONS.RANGE_INVALID', 'from must not be after to', [{ path: '/query/from', message: 'must not be after to' }]);
        }
        const [earnings] = await earningsBetween(db.knex, [params.id], query.from, query.to);
        if (!earnings) throw publisherNotFound(params.id);
        const { revenueShareBps, ...rest } = earnings;
        return { body: { ...rest, from: query.from, to: query.to } };
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
