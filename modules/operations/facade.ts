/** Operations' facade for other modules, as its contract declares it: coarse and batched, each call a service's. */
import type { Facade } from '../../src/kernel/index.ts';
import type { operationsContract } from './contract.ts';
import type { Earnings } from './earnings.ts';
import type { MonthCloses } from './monthCloses.ts';
import { summaryOf, type Publishers } from './publishers.ts';

interface FacadeDeps {
  publishers: Publishers;
  earnings: Earnings;
  monthCloses: MonthCloses;
}

export function makeOperationsFacade({ publishers, earnings, monthCloses }: FacadeDeps): Facade<typeof operationsContract> {
  return {
    publishersByIds: async ({ ids }) => (await publishers.byIds(ids)).map(summaryOf),
    async activePublishers({ limit, cursor }) {
      const page = await publishers.list({ status: 'active', limit, cursor });
      return { ...page, data: page.data.map(summaryOf) };
    },
    earningsForMonth: ({ publisherIds, month }) => earnings.forMonth(publisherIds, month),
    closeMonth: (request) => monthCloses.close(request),
    releaseMonth: (request) => monthCloses.release(request),
  };
}
