/**
 * Exact money arithmetic. Amounts are integers: delivery revenue in micros
 * (10^-6 USD), invoice amounts in minor units (cents). Products such as
 * gross micros × basis points exceed 2^53, so the arithmetic is BigInt.
 */

export type IntegerLike = bigint | number | string;

export function toBigInt(value: IntegerLike): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    return BigInt(value);
  }
  if (!/^-?\d+$/.test(value)) throw new RangeError(`not an integer: ${value}`);
  return BigInt(value);
}

/** numerator / denominator rounded half-up (ties go towards +∞), exact for any size. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const twice = 2n * numerator + denominator;
  const divisor = 2n * denominator;
  // floor division: BigInt division truncates towards zero
  const quotient = twice / divisor;
  return twice % divisor < 0n ? quotient - 1n : quotient;
}

/** The publisher's share of gross revenue, in micros: gross × bps / 10^4, half-up. */
export function shareMicros(grossMicros: IntegerLike, revenueShareBps: number): bigint {
  return divideHalfUp(toBigInt(grossMicros) * BigInt(revenueShareBps), 10_000n);
}

/** An invoice line in minor units (cents): gross micros × bps / 10^8, one half-up rounding. */
export function lineMinor(grossMicros: IntegerLike, revenueShareBps: number): bigint {
  return divideHalfUp(toBigInt(grossMicros) * BigInt(revenueShareBps), 100_000_000n);
}

export function sum(values: Iterable<IntegerLike>): bigint {
  let total = 0n;
  for (const value of values) total += toBigInt(value);
  return total;
}

/** A BigInt as a JSON number; refuses values a JSON client could not hold exactly. */
export function toJsonInteger(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${value} exceeds the exact range of a JSON number`);
  }
  return Number(value);
}

/** Up to 15 digits a decimal string is always a safe integer. */
const SHORT_INTEGER = /^-?\d{1,15}$/;

/**
 * A bigint column as read (a number from SQLite, a string or bigint from PostgreSQL) as an exact
 * JSON number; a number passes as it is, and only long strings take the BigInt range check.
 */
export function jsonIntegerOf(value: number | string | bigint): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && SHORT_INTEGER.test(value)) return Number(value);
  return toJsonInteger(toBigInt(value));
}
