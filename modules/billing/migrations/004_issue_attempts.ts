import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // An issue in progress: written before Operations closes the month, removed with the issue (or once the
  // close is released). The fence only grows, so Operations can refuse a given-up attempt's late close.
  await knex.schema.createTable('issue_attempts', (t) => {
    t.bigIncrements('fence');
    t.string('invoice_id', 40).notNullable();
    t.string('publisher_id', 40).notNullable();
    t.string('period', 7).notNullable();
    // active: may still issue; releasing: may not, and its close (if any) is to be released.
    t.enu('state', ['active', 'releasing']).notNullable();
    t.string('started_at', 24).notNullable();
    t.index(['state', 'started_at']);
  });
  // At most one attempt per invoice may issue: a new one takes over (the older one can then only abort).
  await knex.raw(`CREATE UNIQUE INDEX issue_attempts_one_active ON issue_attempts (invoice_id) WHERE state = 'active'`);

  // Publishers a run could not invoice, and why (the run still invoices everyone else).
  await knex.schema.createTable('invoice_run_failures', (t) => {
    t.string('run_id', 40).notNullable();
    t.string('publisher_id', 40).notNullable();
    t.string('code', 80).notNullable();
    t.text('message').notNullable();
    t.primary(['run_id', 'publisher_id']);
  });

  // Payments are payouts the company sends: the day it paid, the payout's bank reference.
  await knex.schema.alterTable('payments', (t) => {
    t.renameColumn('received_on', 'paid_on');
    t.renameColumn('reference', 'bank_reference');
  });

  // The supplier's postal address on self-billing invoices (finance keeps it).
  await knex.schema.alterTable('billing_accounts', (t) => {
    t.text('address').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_accounts', (t) => {
    t.dropColumn('address');
  });
  await knex.schema.alterTable('payments', (t) => {
    t.renameColumn('paid_on', 'received_on');
    t.renameColumn('bank_reference', 'reference');
  });
  await knex.schema.dropTable('invoice_run_failures');
  await knex.schema.dropTable('issue_attempts');
}
