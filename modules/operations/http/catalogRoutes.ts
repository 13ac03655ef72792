/** A publisher's apps and their ad units. */
import { Page, PageQuery, Strict, assertCanSee, route } from '../../../src/kernel/index.ts';
import type { Catalog } from '../catalog.ts';
import { publisherNotFound } from '../errors.ts';
import { AdUnit, App, IdParam, NewAdUnit, NewApp } from './schemas.ts';

export function catalogRoutes(catalog: Catalog) {
  return [
    route({
      method: 'post',
      path: '/v1/publishers/:id/apps',
      summary: 'Add an app to a publisher (bundle ids are unique per platform)',
      roles: ['ops'],
      params: IdParam,
      body: NewApp,
      responses: { 201: App },
      errors: [409],
      handler: async ({ params, body }) => ({ status: 201, body: await catalog.addApp(params.id, body) }),
    }),
    route({
      method: 'get',
      path: '/v1/publishers/:id/apps',
      summary: "List a publisher's apps",
      roles: ['ops', 'finance', 'publisher'],
      params: IdParam,
      query: Strict(PageQuery),
      responses: { 200: Page(App) },
      handler: async ({ params, query, caller }) => {
        assertCanSee(caller, params.id, () => publisherNotFound(params.id));
        return { body: await catalog.listApps(params.id, query.limit, query.cursor) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/apps/:id/ad-units',
      summary: 'Add an ad unit to an app',
      roles: ['ops'],
      params: IdParam,
      body: NewAdUnit,
      responses: { 201: AdUnit },
      handler: async ({ params, body }) => ({ status: 201, body: await catalog.addAdUnit(params.id, body) }),
    }),
    route({
      method: 'get',
      path: '/v1/apps/:id/ad-units',
      summary: "List an app's ad units",
      roles: ['ops', 'finance', 'publisher'],
      params: IdParam,
      query: Strict(PageQuery),
      responses: { 200: Page(AdUnit) },
      handler: async ({ params, query, caller }) => ({ body: await catalog.listAdUnits(caller, params.id, query.limit, query.cursor) }),
    }),
  ];
}
