/** Billing accounts over HTTP: finance reads and edits them (admin may too). */
import { etag, expectedVersion, route } from '../../../src/kernel/index.ts';
import type { BillingAccounts } from '../accounts.ts';
import { BillingAccount, BillingAccountPatch, PublisherParams } from './schemas.ts';

export function accountRoutes({ billingAccounts }: { billingAccounts: BillingAccounts }) {
  return [
    route({
      method: 'get',
      path: '/v1/billing-accounts/:publisherId',
      summary: "A publisher's billing account",
      roles: ['finance'],
      params: PublisherParams,
      responses: { 200: BillingAccount },
      handler: async ({ params }) => {
        const account = await billingAccounts.get(params.publisherId);
        return { body: account, headers: { etag: etag(account.version) } };
      },
    }),
    route({
      method: 'patch',
      path: '/v1/billing-accounts/:publisherId',
      summary: 'Edit a billing account (legal name and billing email then stop following Operations; null follows it again)',
      roles: ['finance'],
      params: PublisherParams,
      body: BillingAccountPatch,
      responses: { 200: BillingAccount },
      errors: [412],
      handler: async (request) => {
        const account = await billingAccounts.update(request.params.publisherId, request.body, expectedVersion(request));
        return { body: account, headers: { etag: etag(account.version) } };
      },
    }),
  ];
}
