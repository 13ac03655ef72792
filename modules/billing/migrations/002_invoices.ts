import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoices', (t) => {
    t.string('id', 40).primary();
    t.string('publisher_id', 40).notNullable();
    t.string('period', 7).notNullable();
    t.enu('status', ['draft', 'issued', 'paid', 'void']).notNullable();
    t.string('currency', 3).notNullable();
    // Money in minor units (cents), exact integers.
    t.bigInteger('total_minor').notNullable();
    t.bigInteger('paid_minor').notNullable().defaultTo(0);
    t.integer('revenue_share_bps').notNullable();
    // INV-YYYY-NNNNNN, assigned on issue; drafts have none. Unique across years because the year is in it.
    t.string('number', 20).nullable().unique();
    // Who it was issued to (legal name, email, tax id, terms), frozen when it left draft: the document never changes.
    t.text('bill_to').nullable();
    t.string('issued_at', 24).nullable();
    t.string('due_at', 10).nullable();
    t.string('paid_at', 24).nullable();
    t.string('voided_at', 24).nullable();
    t.text('void_reason').nullable();
    t.string('run_id', 40).nullable();
    t.integer('version').notNullable();
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.check('?? >= 0 AND ?? <= ??', ['paid_minor', 'paid_minor', 'total_minor'], 'invoices_paid_within_total');
    t.index(['period', 'id']);
    t.index(['publisher_id', 'period', 'id']);
    t.index(['status', 'period', 'id']);
    t.index(['publisher_id', 'issued_at']);
  });
  // At most one live (non-void) invoice per publisher and month, whatever the code does.
  await knex.raw(`CREATE UNIQUE INDEX invoices_one_live_per_period ON invoices (publisher_id, period) WHERE status <> 'void'`);

  await knex.schema.createTable('invoice_lines', (t) => {
    t.string('invoice_id', 40).notNullable().references('id').inTable('invoices').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.string('app_id', 40).notNullable();
    t.text('description').notNullable();
    t.bigInteger('impressions').notNullable();
    t.bigInteger('gross_micros').notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.primary(['invoice_id', 'position']);
  });

  await knex.schema.createTable('payments', (t) => {
    t.string('id', 40).primary();
    t.string('invoice_id', 40).notNullable().references('id').inTable('invoices');
    t.bigInteger('amount_minor').notNullable();
    t.string('received_on', 10).notNullable();
    t.string('reference', 100).notNullable();
    t.string('recorded_by', 40).nullable();
    t.string('created_at', 24).notNullable();
    // The same bank reference on the same invoice is the same payment.
    t.unique(['invoice_id', 'reference']);
  });

  // One counter row per year of issue, incremented inside the issuing transaction: a rollback leaves no gap.
  await knex.schema.createTable('invoice_numbers', (t) => {
    t.integer('year').primary();
    t.integer('last').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_numbers');
  await knex.schema.dropTable('payments');
  await knex.schema.dropTable('invoice_lines');
  await knex.schema.dropTable('invoices');
}
