/** A publisher's apps (games) and their ad units. */
import { decodeCursor, isUniqueViolation, newId, toPage, type Caller, type Clock, type PageOf } from '../../src/kernel/index.ts';
import type { AdUnit, App, OperationsModels } from './data/models.ts';
import { appNotFound, bundleIdTaken, publisherNotFound } from './errors.ts';

interface AppView {
  id: string;
  publisherId: string;
  name: string;
  platform: App['platform'];
  bundleId: string;
  createdAt: string;
}

interface AdUnitView {
  id: string;
  appId: string;
  publisherId: string;
  name: string;
  format: AdUnit['format'];
  floorCpmMicros: number;
  createdAt: string;
}

const appView = (a: App): AppView => ({
  id: a.id,
  publisherId: a.publisherId,
  name: a.name,
  platform: a.platform,
  bundleId: a.bundleId,
  createdAt: a.createdAt,
});

const adUnitView = (u: AdUnit, publisherId: string): AdUnitView => ({
  id: u.id,
  appId: u.appId,
  publisherId,
  name: u.name,
  format: u.format,
  floorCpmMicros: Number(u.floorCpmMicros),
  createdAt: u.createdAt,
});

export function makeCatalog({ models, clock }: { models: OperationsModels; clock: Clock }) {
  const { Publisher, App, AdUnit } = models;

  /** The app, if the caller may see it (a publisher sees only its own: others are "not found"). */
  async function visibleApp(caller: Caller, appId: string): Promise<App> {
    const app = await App.query().findById(appId);
    if (!app || (caller.role === 'publisher' && caller.publisherId !== app.publisherId)) throw appNotFound(appId);
    return app;
  }

  return {
    async addApp(publisherId: string, input: { name: string; platform: App['platform']; bundleId: string }): Promise<AppView> {
      if (!(await Publisher.query().findById(publisherId))) throw publisherNotFound(publisherId);
      try {
        const app = await App.query().insert({ id: newId('app'), publisherId, ...input, createdAt: clock.now().toISOString() });
        return appView(app);
      } catch (error) {
        if (isUniqueViolation(error)) throw bundleIdTaken(input.platform, input.bundleId);
        throw error;
      }
    },

    async listApps(publisherId: string, limit: number, cursor?: string): Promise<PageOf<AppView>> {
      if (!(await Publisher.query().findById(publisherId))) throw publisherNotFound(publisherId);
      const after = decodeCursor(cursor, 1);
      const rows = await App.query()
        .where('publisher_id', publisherId)
        .modify((q) => after && q.where('id', '>', after[0]!))
        .orderBy('id')
        .limit(limit + 1);
      return toPage(rows, limit, (a) => [a.id], appView);
    },

    async addAdUnit(appId: string, input: { name: string; format: AdUnit['format']; floorCpmMicros?: number }): Promise<AdUnitView> {
      const app = await App.query().findById(appId);
      if (!app) throw appNotFound(appId);
      const unit = await AdUnit.query().insert({
        id: newId('adu'),
        appId,
        name: input.name,
        format: input.format,
        floorCpmMicros: input.floorCpmMicros ?? 0,
        createdAt: clock.now().toISOString(),
      });
      return adUnitView(unit, app.publisherId);
    },

    async listAdUnits(caller: Caller, appId: string, limit: number, cursor?: string): Promise<PageOf<AdUnitView>> {
      const app = await visibleApp(caller, appId);
      const after = decodeCursor(cursor, 1);
      const rows = await AdUnit.query()
        .where('app_id', appId)
        .modify((q) => after && q.where('id', '>', after[0]!))
        .orderBy('id')
        .limit(limit + 1);
      return toPage(
        rows,
        limit,
        (u) => [u.id],
        (u) => adUnitView(u, app.publisherId),
      );
    },
  };
}

export type Catalog = ReturnType<typeof makeCatalog>;
