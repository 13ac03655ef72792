/** Operations' facade for other modules, as its contract declares it: coarse and batched. */
import { decodeCursor, toPage, type Facade, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { operationsContract } from './contract.ts';
import type { OperationsModels, Publisher } from './data/models.ts';
import { monthEarnings } from './earnings.ts';
import type { MonthCloses } from './monthCloses.ts';
import { view } from './publishers.ts';

export function makeOperationsFacade({ db, models, monthCloses }: { db: ModuleDatabase; models: OperationsModels; monthCloses: MonthCloses }): Facade<typeof operationsContract> {
  const summary = (p: Publisher) => {
    const { version, createdAt, updatedAt, ...facts } = view(p);
    return facts;
  };

  return {
    async publishersByIds({ ids }) {
      if (ids.length === 0) return [];
      return (await models.Publisher.query().whereIn('id', ids).orderBy('id')).map(summary);
    },

    async activePublishers({ limit, cursor }) {
      const after = decodeCursor(cursor ?? undefined, 1);
      const rows = await models.Publisher.query()
        .where('status', 'active')
        .modify((q) => after && q.where('id', '>', after[0]!))
        .orderBy('id')
        .limit(limit + 1);
      return toPage(rows, limit, (p) => [p.id], summary);
    },

    earningsForMonth: ({ publisherIds, month }) => monthEarnings(db.knex, publisherIds, month),
    closeMonth: (request) => monthCloses.close(request),
    releaseMonth: (request) => monthCloses.release(request),
  };
}
