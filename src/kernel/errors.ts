/**
 * Domain errors carry a stable code (`BILLING.INVOICE_ALREADY_ISSUED`) and a kind.
 * The host maps the kind to an HTTP status and an RFC 9457 problem; a remote
 * facade carries the same code and kind across the wire.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation'
  | 'too_many_requests'
  | 'unavailable';

export interface FieldError {
  /** JSON pointer into the input, e.g. `/rows/3/clicks`. */
  path: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly errors?: FieldError[];
  /** How many problems there were, when `errors` lists only the first of them. */
  readonly errorCount?: number;

  constructor(code: string, kind: ErrorKind, message: string, errors?: FieldError[], errorCount?: number) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.kind = kind;
    this.errors = errors;
    this.errorCount = errorCount;
  }

  toJSON(): { code: string; kind: ErrorKind; message: string; errors?: FieldError[]; errorCount?: number } {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.errors && { errors: this.errors }),
      ...(this.errorCount !== undefined && { errorCount: this.errorCount }),
    };
  }
}

export const notFound = (code: string, message: string) => new DomainError(code, 'not_found', message);
export const conflict = (code: string, message: string) => new DomainError(code, 'conflict', message);
export const invalid = (code: string, message: string, errors?: FieldError[]) => new DomainError(code, 'validation', message, errors);
export const staleVersion = (code: string, message: string) => new DomainError(code, 'precondition_failed', message);

/** A unique-constraint violation from PostgreSQL or SQLite, raw or wrapped by Objection. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { name?: string; code?: string; nativeError?: { code?: string } } | null;
  if (!e) return false;
  const code = e.nativeError?.code ?? e.code;
  return (
    e.name === 'UniqueViolationError' || code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
