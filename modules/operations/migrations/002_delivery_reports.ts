import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per ad unit per UTC day; a resent day replaces the row.
  await knex.schema.createTable('delivery_reports', (t) => {
    t.string('ad_unit_id', 40).notNullable().references('ad_units.id');
    t.string('day', 10).notNullable();
    t.bigInteger('impressions').notNullable();
    t.bigInteger('clicks').notNullable();
    t.bigInteger('revenue_micros').notNullable();
    t.primary(['ad_unit_id', 'day']);
    t.check('?? >= 0 and ?? >= 0 and ?? >= 0', ['impressions', 'clicks', 'revenue_micros'], 'delivery_reports_non_negative');
    t.check('?? <= ??', ['clicks', 'impressions'], 'delivery_reports_clicks_within_impressions');
  });
  // Months Billing has invoiced (from its events): delivery rows there are refused.
  await knex.schema.createTable('closed_periods', (t) => {
    t.string('publisher_id', 40).notNullable();
    t.string('period', 7).notNullable();
    t.string('invoice_id', 40).notNullable();
    t.string('closed_at', 24).notNullable();
    t.primary(['publisher_id', 'period']);
  });
  // The last payment Billing reported per publisher, for the dashboard.
  await knex.schema.createTable('last_payments', (t) => {
    t.string('publisher_id', 40).primary();
    t.string('invoice_id', 40).notNullable();
    t.string('paid_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('last_payments');
  await knex.schema.dropTable('closed_periods');
  await knex.schema.dropTable('delivery_reports');
}
