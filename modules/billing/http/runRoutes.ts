/** Invoice runs over HTTP: finance queues a month's run and watches its progress. */
import { route } from '../../../src/kernel/index.ts';
import { runView, type InvoiceRuns } from '../invoiceRuns.ts';
import type { InvoiceRunWorker } from '../invoiceRunWorker.ts';
import { IdParams, InvoiceRun, RunRequest } from './schemas.ts';

export function runRoutes({ invoiceRuns, invoiceRunWorker }: { invoiceRuns: InvoiceRuns; invoiceRunWorker: InvoiceRunWorker }) {
  return [
    route({
      method: 'post',
      path: '/v1/invoice-runs',
      summary: "Queue a month's invoice run (409 while one for that month is queued or running)",
      roles: ['finance'],
      body: RunRequest,
      responses: { 202: InvoiceRun },
      errors: [409, 422],
      handler: async ({ body, caller }) => {
        const run = await invoiceRuns.request(body.period, { requestedBy: caller.tokenId });
        invoiceRunWorker.wake();
        return { status: 202, body: runView(run), headers: { location: `/v1/invoice-runs/${run.id}` } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/invoice-runs/:id',
      summary: 'An invoice run with its progress',
      roles: ['finance'],
      params: IdParams,
      responses: { 200: InvoiceRun },
      handler: async ({ params }) => ({ body: await invoiceRuns.view(params.id) }),
    }),
  ];
}
