/**
 * The text rule for names and free text: trimmed and not blank, no control
 * characters (a multi-line field keeps its line breaks), no bidirectional
 * embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069: they make
 * "cod.exe" read as "exe.doc" on an invoice), and well-formed UTF-16 (a lone
 * surrogate is stored as U+FFFD, so the database would hold another string
 * than the one echoed back). It is a JSON Schema `pattern`, so the OpenAPI
 * document shows it and every validator (Ajv compiles patterns with the `u`
 * flag, where a lone surrogate is a code point of its own) enforces it.
 */
import { Type, type StringOptions, type TString } from '@sinclair/typebox';

const BIDI = '\\u202A-\\u202E\\u2066-\\u2069';
const SURROGATES = '\\uD800-\\uDFFF';
/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const SINGLE_LINE_FORBIDDEN = `\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029${BIDI}${SURROGATES}`;
/** The same, less LF and CR (and the Unicode separators): line breaks are text here. */
const MULTI_LINE_FORBIDDEN = `\\u0000-\\u0009\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${BIDI}${SURROGATES}`;

const patternOf = (forbidden: string) => `^[^\\s${forbidden}](?:[^${forbidden}]*[^\\s${forbidden}])?$`;

export const SINGLE_LINE_TEXT = patternOf(SINGLE_LINE_FORBIDDEN);
export const MULTI_LINE_TEXT = patternOf(MULTI_LINE_FORBIDDEN);

const RULE = 'Trimmed, not blank; no control characters, bidirectional overrides or isolates, or lone surrogates.';

/** A name or free-text field under the text rule; `multiline` lets it hold line breaks (LF, CR). */
export function Text(options: { maxLength: number; multiline?: boolean } & Omit<StringOptions, 'pattern' | 'minLength'>): TString {
  const { multiline, description, ...rest } = options;
  return Type.String({
    ...rest,
    minLength: 1,
    pattern: multiline ? MULTI_LINE_TEXT : SINGLE_LINE_TEXT,
    description: [description, multiline ? `${RULE} Line breaks allowed.` : RULE].filter(Boolean).join(' — '),
  });
}

/** Any character the single-line text rule refuses (for formats such as e-mail addresses that have their own shape). */
export const UNSAFE_CHARACTER = new RegExp(`[${SINGLE_LINE_FORBIDDEN}]`, 'u');

const hex = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `value` breaks the text rule named by `pattern`, in words for a 422; null when the pattern is not a text rule. */
export function textProblem(pattern: string, value: unknown): string | null {
  if (pattern !== SINGLE_LINE_TEXT && pattern !== MULTI_LINE_TEXT) return null;
  if (typeof value !== 'string') return 'must be text';
  if (value.trim() === '') return 'must not be blank';
  const lone = /[\uD800-\uDFFF]/u.exec(value);
  if (lone) return `must be well-formed Unicode: lone surrogate ${hex(lone[0])}`;
  const bidi = /[\u202A-\u202E\u2066-\u2069]/u.exec(value);
  if (bidi) return `must not contain bidirectional control ${hex(bidi[0])}`;
  const control = new RegExp(`[${pattern === MULTI_LINE_TEXT ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN}]`, 'u').exec(value);
  if (control) return `must not contain control character ${hex(control[0])}`;
  return 'must not start or end with whitespace';
}
