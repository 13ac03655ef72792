/**
 * The invoice's typeface: Noto Sans SC from an npm package, which covers
 * Latin, Cyrillic, Greek and CJK, so a publisher's or an app's name prints in
 * any of those scripts (pdfkit's standard fonts know Latin-1 only). pdfkit
 * embeds only the glyphs a document uses, so an invoice stays a few kilobytes.
 * Each file (~10 MB) is read once, on the first document.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const FAMILY = path.dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/package.json'));

const files = {
  regular: path.join(FAMILY, '400Regular/NotoSansSC_400Regular.ttf'),
  bold: path.join(FAMILY, '700Bold/NotoSansSC_700Bold.ttf'),
};

let loaded: { regular: Buffer; bold: Buffer } | null = null;

export function invoiceFonts(): { regular: Buffer; bold: Buffer } {
  loaded ??= { regular: fs.readFileSync(files.regular), bold: fs.readFileSync(files.bold) };
  return loaded;
}
