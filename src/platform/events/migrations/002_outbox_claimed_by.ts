import type { Knex } from 'knex';

/**
 * Which claim holds an in-flight row (or last held a settled one): a dispatcher renews and settles
 * only rows still under its own claim, so one whose claim lapsed and was taken over cannot
 * overwrite the new holder's work.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.string('claimed_by', 40).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('claimed_by');
  });
}
