/**
 * A PDF read back the way a person's tools read it: poppler's pdftotext (the
 * text as laid out, through the fonts' Unicode maps) and pdftoppm (a page as
 * an image). Debian's poppler-utils; CI installs it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const tool = (name: string) => {
  const file = `/usr/bin/${name}`;
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: install it with \`apt-get update && apt-get install -y poppler-utils\``);
  return file;
};

/** The document's text, page by page, columns kept apart by spaces. */
export function pdfText(pdf: Buffer): string {
  return execFileSync(tool('pdftotext'), ['-layout', '-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
}

/** The first page as a PNG, `dpi` dots per inch. */
export function pdfPage(pdf: Buffer, dpi = 60): Buffer {
  return execFileSync(tool('pdftoppm'), ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-'], {
    input: pdf,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** How many pages (pdfinfo would say the same). */
export const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
