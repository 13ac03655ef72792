/** Operations' domain errors about delivery and closed months: stable codes clients may rely on. */
import { DomainError, invalid, type FieldError } from '../../src/kernel/index.ts';

export const periodNotEnded = (period: string) =>
  invalid('OPERATIONS.PERIOD_NOT_ENDED', `${period} has not ended yet (UTC): only ended months are invoiced`, [
    { path: '/period', message: 'must be a month that has ended' },
  ]);

export const totalTooLarge = (message: string) => invalid('OPERATIONS.TOTAL_TOO_LARGE', message);

/** At most this many problems are listed; the rest are counted (a 10,000-row upload of garbage stays small). */
export const MAX_LISTED_ERRORS = 1_000;

/** Every problem of a bulk upload in one answer, the first MAX_LISTED_ERRORS listed and all of them counted. */
export function deliveryRowsInvalid(errors: FieldError[]): DomainError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const more = errors.length > listed.length ? `; the first ${listed.length} are listed` : '';
  return new DomainError(
    'OPERATIONS.DELIVERY_ROWS_INVALID',
    'validation',
    `${errors.length} problem(s) in the rows${more}; nothing was written`,
    listed,
    errors.length,
  );
}

export const periodClosed = (errors: FieldError[]) =>
  new DomainError('OPERATIONS.PERIOD_CLOSED', 'conflict', `${errors.length} row(s) fall in invoiced months; nothing was written`, errors.slice(0, MAX_LISTED_ERRORS), errors.length);
