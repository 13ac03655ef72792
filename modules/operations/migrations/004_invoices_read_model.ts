import type { Knex } from 'knex';

/**
 * The dashboard's view of Billing's invoices, kept from Billing's events (issued, paid out, paid, voided):
 * Operations reads its own copy and never calls Billing, so it serves every route while Billing is down.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('publisher_invoices', (t) => {
    t.string('invoice_id', 40).primary();
    t.string('publisher_id', 40).notNullable();
    t.string('number', 20).notNullable();
    t.string('period', 7).notNullable();
    t.enu('status', ['issued', 'paid']).notNullable();
    t.string('currency', 3).notNullable();
    t.bigInteger('total_minor').notNullable();
    t.bigInteger('paid_minor').notNullable();
    t.string('issued_at', 24).notNullable();
    t.string('due_at', 10).notNullable();
    t.index(['publisher_id', 'issued_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('publisher_invoices');
}
