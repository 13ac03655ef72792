/** Reads a JSON request body with a size limit, as a problem on anything malformed. */
import type Koa from 'koa';
import getRawBody from 'raw-body';
import { DomainError } from '../../kernel/index.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const badRequest = (code: string, message: string) => new DomainError(code, 'bad_request', message);

export async function readJson(ctx: Koa.Context, limit: number): Promise<unknown> {
  const length = ctx.request.length;
  const hasBody = (length !== undefined && length > 0) || ctx.get('transfer-encoding') !== '';
  if (!hasBody) throw badRequest('BODY_REQUIRED', 'This request needs a JSON body');
  if (!ctx.is('application/json', 'application/*+json')) {
    throw new DomainError('CONTENT_TYPE_UNSUPPORTED', 'unsupported_media_type', 'Send the body as application/json');
  }
  let text: string;
  try {
    text = await getRawBody(ctx.req, { length, limit, encoding: 'utf8' });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw new DomainError('BODY_TOO_LARGE', 'payload_too_large', `The body exceeds this route's limit of ${limit} bytes`);
    }
    throw badRequest('BODY_UNREADABLE', 'The request body could not be read');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('JSON_MALFORMED', 'The body is not valid JSON');
  }
}
