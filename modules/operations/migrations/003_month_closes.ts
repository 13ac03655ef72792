import type { Knex } from 'knex';

/**
 * Months are closed synchronously by Billing's issue (facade closeMonth), and a
 * close is fenced: each issue attempt brings a number that only grows, so an
 * attempt that was given up cannot close the month again after its release.
 * A month released or reopened keeps its row (invoice_id null) and its fence.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('month_closes', (t) => {
    t.string('publisher_id', 40).notNullable();
    t.string('period', 7).notNullable();
    // The invoice whose issue closed the month; null while the month is open.
    t.string('invoice_id', 40).nullable();
    // The highest issue attempt that closed the month, or whose close was refused as superseded.
    t.bigInteger('fence').notNullable();
    t.string('closed_at', 24).nullable();
    t.primary(['publisher_id', 'period']);
  });
  await knex.raw(`INSERT INTO month_closes (publisher_id, period, invoice_id, fence, closed_at)
    SELECT publisher_id, period, invoice_id, 0, closed_at FROM closed_periods`);
  await knex.schema.dropTable('closed_periods');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.createTable('closed_periods', (t) => {
    t.string('publisher_id', 40).notNullable();
    t.string('period', 7).notNullable();
    t.string('invoice_id', 40).notNullable();
    t.string('closed_at', 24).notNullable();
    t.primary(['publisher_id', 'period']);
  });
  await knex.raw(`INSERT INTO closed_periods (publisher_id, period, invoice_id, closed_at)
    SELECT publisher_id, period, invoice_id, closed_at FROM month_closes WHERE invoice_id IS NOT NULL`);
  await knex.schema.dropTable('month_closes');
}
