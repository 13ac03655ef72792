/** `/v1/tokens`: admins create, list and revoke API tokens. */
import { Nullable, Page, PageQuery, ROLES, Strict, StringEnum, Text, Timestamp, Type, route } from '../../kernel/index.ts';
import type { TokenService } from './tokens.ts';

const RoleSchema = StringEnum(ROLES);

const TokenView = Type.Object({
  id: Type.String(),
  role: RoleSchema,
  publisherId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  createdAt: Timestamp,
});

const CreatedToken = Type.Composite([TokenView, Type.Object({ token: Type.String({ description: 'Shown only in this response' }) })]);

export function tokenRoutes(tokens: TokenService) {
  return [
    route({
      method: 'post',
      path: '/v1/tokens',
      summary: 'Create an API token (its secret is shown only in this response)',
      roles: [],
      body: Strict({
        role: RoleSchema,
        publisherId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 40 }))),
        name: Type.Optional(Nullable(Text({ maxLength: 200, description: 'who or what uses it, e.g. "ingest job"' }))),
      }),
      responses: { 201: CreatedToken },
      handler: async ({ body }) => ({ status: 201, body: await tokens.create(body) }),
    }),
    route({
      method: 'get',
      path: '/v1/tokens',
      summary: 'List active tokens (never their secrets)',
      roles: [],
      query: Strict(PageQuery),
      responses: { 200: Page(TokenView) },
      handler: async ({ query }) => ({ body: await tokens.list(query.limit, query.cursor) }),
    }),
    route({
      method: 'delete',
      path: '/v1/tokens/:id',
      summary: 'Revoke a token at once',
      roles: [],
      params: Strict({ id: Type.String({ maxLength: 40 }) }),
      responses: { 204: null },
      handler: async ({ params }) => {
        await tokens.revoke(params.id);
        return { status: 204 };
      },
    }),
  ];
}
