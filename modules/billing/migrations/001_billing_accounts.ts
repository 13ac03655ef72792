import type { Knex } from 'knex';

// Timestamps are ISO 8601 UTC text, as in the platform tables; publisher_id is a plain reference into
// Operations (no foreign key crosses a module).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_accounts', (t) => {
    t.string('publisher_id', 40).primary();
    // Operations' latest facts (from its events): the effective values unless finance overrides them.
    t.text('publisher_name').notNullable();
    t.text('contact_email').notNullable();
    // Finance's overrides, one per field: null means "follow Operations".
    t.text('legal_name_override').nullable();
    t.text('billing_email_override').nullable();
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.integer('payment_terms_days').notNullable().defaultTo(30);
    t.string('tax_id', 64).nullable();
    t.integer('version').notNullable();
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('billing_accounts');
}
