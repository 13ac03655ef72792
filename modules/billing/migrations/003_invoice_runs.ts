import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoice_runs', (t) => {
    t.string('id', 40).primary();
    t.string('period', 7).notNullable();
    t.enu('status', ['queued', 'running', 'succeeded', 'failed']).notNullable();
    t.integer('total').notNullable().defaultTo(0);
    t.integer('processed').notNullable().defaultTo(0);
    t.integer('created').notNullable().defaultTo(0);
    t.integer('updated').notNullable().defaultTo(0);
    t.integer('skipped').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    // The last publisher id whose page committed: a resumed run continues after it.
    t.string('cursor', 40).nullable();
    // The worker holding the run and until when; a lapsed lease means its worker died.
    t.string('owner', 40).nullable();
    t.string('lease_until', 24).nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('error').nullable();
    t.string('requested_by', 40).nullable();
    t.string('created_at', 24).notNullable();
    t.string('started_at', 24).nullable();
    t.string('finished_at', 24).nullable();
    t.string('updated_at', 24).notNullable();
    t.index(['status', 'created_at']);
    t.index(['period', 'created_at']);
  });
  // One queued or running run per month: two requests at once get one run and one 409.
  await knex.raw(`CREATE UNIQUE INDEX invoice_runs_one_live_per_period ON invoice_runs (period) WHERE status IN ('queued', 'running')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_runs');
}
