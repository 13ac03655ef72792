/** `/v1/publishers`: register, list, read and change publishers. */
import { Page, PageQuery, Strict, Type, assertCanSee, etag, expectedVersion, route } from '../../../src/kernel/index.ts';
import { PublisherStatus } from '../contract.ts';
import { publisherNotFound } from '../errors.ts';
import type { Publishers } from '../publishers.ts';
import { IdParam, NewPublisher, Publisher, PublisherPatch } from './schemas.ts';

export function publisherRoutes(publishers: Publishers) {
  return [
    route({
      method: 'post',
      path: '/v1/publishers',
      summary: 'Register a publisher',
      roles: ['ops'],
      body: NewPublisher,
      responses: { 201: Publisher },
      handler: async ({ body }) => {
        const publisher = await publishers.register(body);
        return { status: 201, body: publisher, headers: { ETag: etag(publisher.version), Location: `/v1/publishers/${publisher.id}` } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/publishers',
      summary: 'List publishers, oldest first',
      roles: ['ops', 'finance'],
      query: Strict({ ...PageQuery, status: Type.Optional(PublisherStatus) }),
      responses: { 200: Page(Publisher) },
      handler: async ({ query }) => ({ body: await publishers.list(query) }),
    }),
    route({
      method: 'get',
      path: '/v1/publishers/:id',
      summary: 'Read a publisher',
      roles: ['ops', 'finance', 'publisher'],
      params: IdParam,
      responses: { 200: Publisher },
      handler: async ({ params, caller }) => {
        assertCanSee(caller, params.id, () => publisherNotFound(params.id));
        const publisher = await publishers.get(params.id);
        return { body: publisher, headers: { ETag: etag(publisher.version) } };
      },
    }),
    route({
      method: 'patch',
      path: '/v1/publishers/:id',
      summary: 'Change a publisher (If-Match: its ETag, to refuse a stale write with 412)',
      roles: ['ops'],
      params: IdParam,
      body: PublisherPatch,
      responses: { 200: Publisher },
      errors: [412],
      handler: async (request) => {
        const publisher = await publishers.update(request.params.id, request.body, expectedVersion(request));
        return { body: publisher, headers: { ETag: etag(publisher.version) } };
      },
    }),
  ];
}
