import type { Knex } from 'knex';

/** Every module's database gets an outbox (events it publishes) and an inbox (events it handled). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox', (t) => {
    // One row per event and subscribing handler; seq orders an aggregate's events.
    t.bigIncrements('seq').primary();
    t.string('event_id', 40).notNullable();
    t.string('subscriber', 120).notNullable();
    t.string('name', 120).notNullable();
    t.integer('version').notNullable();
    t.string('aggregate_id', 120).notNullable();
    t.text('payload').notNullable();
    t.string('occurred_at', 24).notNullable();
    t.enu('status', ['pending', 'in_flight', 'delivered', 'dead']).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 24).notNullable();
    t.string('claimed_until', 24).nullable();
    t.text('last_error').nullable();
    t.string('delivered_at', 24).nullable();
    t.unique(['event_id', 'subscriber']);
    t.index(['status', 'next_attempt_at']);
    t.index(['subscriber', 'aggregate_id', 'seq']);
  });
  await knex.schema.createTable('inbox', (t) => {
    t.string('event_id', 40).notNullable();
    t.string('handler', 120).notNullable();
    t.string('handled_at', 24).notNullable();
    t.primary(['event_id', 'handler']);
    t.index(['handled_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbox');
  await knex.schema.dropTable('outbox');
}
