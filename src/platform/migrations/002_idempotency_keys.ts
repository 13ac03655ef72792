import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('caller', 40).notNullable();
    t.string('key', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.enu('state', ['in_flight', 'done']).notNullable();
    t.integer('status').nullable();
    t.text('response').nullable();
    t.string('created_at', 24).notNullable();
    // An in-flight record whose owner crashed may be taken over after this instant.
    t.string('locked_until', 24).notNullable();
    t.primary(['caller', 'key']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}
