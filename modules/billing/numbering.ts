/**
 * Invoice numbers, INV-YYYY-NNNNNN: gapless and unique within the year of
 * issue. Not a sequence (a rolled-back nextval is a gap) but a counter row per
 * year, incremented inside the issuing transaction: PostgreSQL holds the row
 * lock until commit, so concurrent issues queue for it and a failed issue
 * rolls its increment back; SQLite serialises writers. The unique constraint
 * on invoices.number is the last line of defence.
 */
import type { Knex } from 'knex';
import type { ModuleDatabase } from '../../src/kernel/index.ts';

function formatInvoiceNumber(year: number, sequence: number): string {
  return `INV-${year}-${String(sequence).padStart(6, '0')}`;
}

/** Takes the next number of `year`; only valid inside the transaction that issues the invoice. */
export async function takeInvoiceNumber(db: ModuleDatabase, trx: Knex.Transaction, year: number): Promise<string> {
  const result = await trx.raw(
    `INSERT INTO invoice_numbers (year, last) VALUES (?, 1)
     ON CONFLICT (year) DO UPDATE SET last = invoice_numbers.last + 1
     RETURNING last`,
    [year],
  );
  const [row] = db.returning<{ last: number | string }>(result);
  return formatInvoiceNumber(year, Number(row!.last));
}
