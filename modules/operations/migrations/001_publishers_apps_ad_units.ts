import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('publishers', (t) => {
    t.string('id', 40).primary();
    t.string('name', 200).notNullable();
    t.string('contact_email', 254).notNullable();
    t.string('country', 2).notNullable();
    t.integer('revenue_share_bps').notNullable();
    t.enu('status', ['active', 'suspended']).notNullable();
    t.integer('version').notNullable();
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.check('?? between 0 and 10000', ['revenue_share_bps'], 'publishers_revenue_share_range');
    t.index(['status', 'id']);
  });
  await knex.schema.createTable('apps', (t) => {
    t.string('id', 40).primary();
    t.string('publisher_id', 40).notNullable().references('publishers.id');
    t.string('name', 200).notNullable();
    t.enu('platform', ['android', 'ios', 'web']).notNullable();
    t.string('bundle_id', 255).notNullable();
    t.string('created_at', 24).notNullable();
    t.unique(['platform', 'bundle_id'], { indexName: 'apps_bundle_unique_per_platform' });
    t.index(['publisher_id', 'id']);
  });
  await knex.schema.createTable('ad_units', (t) => {
    t.string('id', 40).primary();
    t.string('app_id', 40).notNullable().references('apps.id');
    t.string('name', 200).notNullable();
    t.enu('format', ['native', 'banner', 'interstitial', 'rewarded']).notNullable();
    t.bigInteger('floor_cpm_micros').notNullable().defaultTo(0);
    t.string('created_at', 24).notNullable();
    t.check('?? >= 0', ['floor_cpm_micros'], 'ad_units_floor_non_negative');
    t.index(['app_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ad_units');
  await knex.schema.dropTable('apps');
  await knex.schema.dropTable('publishers');
}
