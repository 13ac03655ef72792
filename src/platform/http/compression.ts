/**
 * Response compression (zstd, br or gzip, as the client accepts) for what
 * gains from it: the docs page's assets (the Swagger UI bundle is 1.7 MB) and
 * JSON past 1 KiB. Never PDFs (already compressed), images or event streams
 * (a compressor would hold events back until its buffer fills).
 */
import zlib from 'node:zlib';
import type Koa from 'koa';
import compress from 'koa-compress';

export const COMPRESS_FROM_BYTES = 1024;

const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|problem\+json|javascript)\b|image\/svg\+xml\b)/i;

export const isCompressible = (type: string) => COMPRESSIBLE.test(type);

export function compression(): Koa.Middleware {
  const compressor = compress({
    filter: isCompressible,
    threshold: COMPRESS_FROM_BYTES,
    // Fast levels: a 1.7 MB bundle compresses in milliseconds; the bytes saved are most of the gain.
    gzip: { level: 6 },
    br: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  const serialised = async (ctx: Koa.Context, next: Koa.Next) => {
    await next();
    // JSON written once here: otherwise the size check and Koa's reply would each serialise the body.
    const { body } = ctx;
    if (Array.isArray(body) || (body !== null && typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype)) {
      ctx.body = JSON.stringify(body);
    }
  };
  return (ctx, next) => {
    if (ctx.get('accept-encoding') !== '') return compressor(ctx, () => serialised(ctx, next));
    // No Accept-Encoding: koa-compress would negotiate `identity` (its default) and send the body as it is,
    // having only added Vary (~2 % of the hot read's CPU for negotiating that every time).
    ctx.vary('Accept-Encoding');
    return serialised(ctx, next);
  };
}
