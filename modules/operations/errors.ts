/** Operations' domain errors: stable codes clients may rely on, each with the kind that sets its HTTP status. */
import { DomainError, conflict, invalid, notFound, staleVersion, type FieldError } from '../../src/kernel/index.ts';

export const publisherNotFound = (id: string) => notFound('OPERATIONS.PUBLISHER_NOT_FOUND', `No publisher ${id}`);

export const countryUnknown = (country: string) =>
  invalid('OPERATIONS.COUNTRY_UNKNOWN', `${country} is not an ISO 3166-1 alpha-2 country code`, [
    { path: '/country', message: 'must be an ISO 3166-1 alpha-2 code, e.g. DE' },
  ]);

export const stalePublisher = (id: string, version: number, expected: number) =>
  staleVersion('OPERATIONS.PUBLISHER_VERSION_STALE', `Publisher ${id} is at version ${version}, not ${expected}`);

export const appNotFound = (id: string) => notFound('OPERATIONS.APP_NOT_FOUND', `No app ${id}`);

export const bundleIdTaken = (platform: string, bundleId: string) =>
  conflict('OPERATIONS.BUNDLE_ID_TAKEN', `An ${platform} app with bundle id ${bundleId} already exists`);

export const rangeInvalid = () =>
  invalid('OPERATIONS.RANGE_INVALID', 'from must not be after to', [{ path: '/query/from', message: 'must not be after to' }]);

export const periodNotEnded = (period: string) =>
  invalid('OPERATIONS.PERIOD_NOT_ENDED', `${period} has not ended yet (UTC): only ended months are invoiced`, [
    { path: '/period', message: 'must be a month that has ended' },
  ]);

/** Figures past what a JSON number holds exactly: the caller's range, a 422, not a 500. */
export const totalTooLarge = ({ from, to }: { from: string; to: string }) =>
  invalid(
    'OPERATIONS.TOTAL_TOO_LARGE',
    `Totals between ${from} and ${to} exceed 2^53 - 1 and cannot be given exactly; ask for a shorter range`,
  );

/** At most this many problems are listed; the rest are counted (a 10,000-row upload of garbage stays small). */
const MAX_LISTED_ERRORS = 1_000;

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
  new DomainError(
    'OPERATIONS.PERIOD_CLOSED',
    'conflict',
    `${errors.length} row(s) fall in invoiced months; nothing was written`,
    errors.slice(0, MAX_LISTED_ERRORS),
    errors.length,
  );
