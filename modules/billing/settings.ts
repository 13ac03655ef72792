/**
 * Billing's own settings (SEAMS_BILLING_*, validated at start): the company
 * that issues self-billing invoices, i.e. the customer on every invoice.
 */
import { Type, type Static } from '../../src/kernel/index.ts';

export const BillingSettings = Type.Object(
  {
    issuerName: Type.String({ minLength: 1, maxLength: 200, default: 'seams ad network', description: "the company's legal name" }),
    issuerAddress: Type.String({ maxLength: 500, default: '', description: 'postal address, lines separated by "|"' }),
    issuerTaxId: Type.String({ maxLength: 64, default: '', description: 'VAT or tax id' }),
    issuerEmail: Type.String({ maxLength: 254, default: '', description: 'where publishers reach finance' }),
  },
  { additionalProperties: false },
);
export type BillingSettings = Static<typeof BillingSettings>;

/** The customer block of an invoice. */
export interface Issuer {
  name: string;
  address: string[];
  taxId: string | null;
  email: string | null;
}

export function issuerOf(settings: BillingSettings): Issuer {
  return {
    name: settings.issuerName,
    address: settings.issuerAddress
      .split('|')
      .map((line) => line.trim())
      .filter(Boolean),
    taxId: settings.issuerTaxId || null,
    email: settings.issuerEmail || null,
  };
}
