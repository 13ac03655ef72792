import { randomBytes } from 'node:crypto';

// Crockford base32: ids sort by creation time and read unambiguously.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A new opaque id such as `pub_01JD3S5W2Q8N0Z6X4V7B9C1D2E`: a type prefix and a ULID
 * (48-bit millisecond time + 80 random bits), so ids sort in creation order.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += ALPHABET[bytes[i]! % 32];
  return `${prefix}_${time}${random}`;
}

export function isId(prefix: string, value: string): boolean {
  return new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`).test(value);
}
