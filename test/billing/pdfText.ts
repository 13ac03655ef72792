/** The text drawn on a PDF's pages (pdfkit's output: Flate-compressed streams, hex-encoded TJ strings), for assertions. */
import zlib from 'node:zlib';

function streams(pdf: Buffer): Buffer[] {
  const found: Buffer[] = [];
  let at = 0;
  for (;;) {
    const start = pdf.indexOf('stream\n', at);
    if (start === -1) return found;
    const end = pdf.indexOf('\nendstream', start);
    if (end === -1) return found;
    const body = pdf.subarray(start + 'stream\n'.length, end);
    try {
      found.push(zlib.inflateSync(body));
    } catch {
      found.push(body); // not compressed
    }
    at = end + '\nendstream'.length;
  }
}

/** One string per text-showing operator, in drawing order. */
export function pdfText(pdf: Buffer): string[] {
  const texts: string[] = [];
  for (const content of streams(pdf)) {
    for (const [, array] of content.toString('latin1').matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...array!.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]).join('');
      texts.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return texts;
}
