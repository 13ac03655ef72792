/** Reads a JSON request body with a size limit, as a problem on anything malformed. */
import type Koa from 'koa';
import getRawBody from 'raw-body';
import { DomainError } from '../../kernel/index.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const badRequest = (code: string, message: string) => new DomainError(code, 'bad_request', message);
/** JSON is UTF-8 (RFC 8259 §8.1); a label naming anything else would be decoded wrongly. */
const UTF8 = /^"?utf-?8"?$/i;

/**
 * 415 for a body seams would misread: another charset, or a Content-Encoding it does not decode
 * (gzip, br…), answered with `Accept-Encoding: identity` as RFC 9110 §15.5.16 asks.
 */
function refuseUnreadable(ctx: Koa.Context): void {
  const charset = ctx.request.charset;
  if (charset !== '' && !UTF8.test(charset)) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'unsupported_media_type', `The body must be UTF-8 JSON, not charset ${charset}`);
  }
  const encoding = ctx.get('content-encoding').trim();
  if (encoding !== '' && encoding.toLowerCase() !== 'identity') {
    ctx.set('Accept-Encoding', 'identity');
    throw new DomainError(
      'UNSUPPORTED_CONTENT_ENCODING',
      'unsupported_media_type',
      `Send the body without Content-Encoding (got ${encoding.slice(0, 40)})`,
    );
  }
}

export async function readJson(ctx: Koa.Context, limit: number): Promise<unknown> {
  const length = ctx.request.length;
  const hasBody = (length !== undefined && length > 0) || ctx.get('transfer-encoding') !== '';
  if (!hasBody) throw badRequest('BODY_REQUIRED', 'This request needs a JSON body');
  if (!ctx.is('application/json', 'application/*+json')) throw badRequest('CONTENT_TYPE_UNSUPPORTED', 'Send the body as application/json');
  refuseUnreadable(ctx);
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
