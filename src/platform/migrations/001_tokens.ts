import type { Knex } from 'knex';

// Timestamps are ISO 8601 UTC text in both databases: they sort as they read and cross the API unchanged.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tokens', (t) => {
    t.string('id', 40).primary();
    t.string('name', 200).nullable();
    t.enu('role', ['admin', 'ops', 'finance', 'publisher']).notNullable();
    t.string('publisher_id', 40).nullable();
    // sha256 of the secret; the secret itself is shown once and never stored
    t.string('secret_hash', 64).notNullable();
    t.string('created_at', 24).notNullable();
    t.string('revoked_at', 24).nullable();
    t.index(['created_at', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tokens');
}
