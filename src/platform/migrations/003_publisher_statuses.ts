import type { Knex } from 'knex';

/**
 * Whether a publisher's tokens may be used, as this process last heard it (from Operations' events,
 * directly or through a peer). `version` is the publisher's: an older report never overwrites a newer
 * one, whatever order they arrive in; 0 is a status read without a version (a back-fill).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('publisher_statuses', (t) => {
    t.string('publisher_id', 40).primary();
    t.enu('status', ['active', 'suspended']).notNullable();
    t.integer('version').notNullable();
    t.string('updated_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('publisher_statuses');
}
