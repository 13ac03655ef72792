/**
 * The issue protocol's attempts (`issue_attempts`): one row per attempt to issue
 * a draft, numbered by a fence that only grows. `active` may still issue;
 * `releasing` may not, and waits for its month's close to be released.
 */
import type { Knex } from 'knex';
import type { ModuleDatabase } from '../../../src/kernel/index.ts';

export interface Attempt {
  fence: number;
  invoiceId: string;
  publisherId: string;
  period: string;
}

interface AttemptRow {
  fence: number | string;
  invoice_id: string;
  publisher_id: string;
  period: string;
  state: 'active' | 'releasing';
  started_at: string;
}

const toAttempt = (row: AttemptRow): Attempt => ({
  fence: Number(row.fence),
  invoiceId: row.invoice_id,
  publisherId: row.publisher_id,
  period: row.period,
});

export function makeIssueAttempts(db: ModuleDatabase) {
  const attempts = (trx: Knex | Knex.Transaction = db.knex) => trx<AttemptRow>('issue_attempts');

  return {
    /** Records a new active attempt for the invoice; one still active for it may no longer issue. */
    async begin(trx: Knex.Transaction, attempt: Omit<Attempt, 'fence'>, startedAt: string): Promise<Attempt> {
      await attempts(trx).where({ invoice_id: attempt.invoiceId, state: 'active' }).update({ state: 'releasing' });
      const [inserted] = await attempts(trx)
        .insert({ invoice_id: attempt.invoiceId, publisher_id: attempt.publisherId, period: attempt.period, state: 'active', started_at: startedAt })
        .returning('fence');
      return { ...attempt, fence: Number(typeof inserted === 'object' ? (inserted as { fence: number | string }).fence : inserted) };
    },

    /** Whether the attempt is still the active one, its row locked until the transaction ends (PostgreSQL). */
    async isActive(trx: Knex.Transaction, fence: number): Promise<boolean> {
      const query = attempts(trx).where({ fence });
      const row = await (db.dialect === 'postgres' ? query.forUpdate() : query).first();
      return row?.state === 'active';
    },

    /** The attempt may no longer issue (if it was still active). */
    stepBack: (trx: Knex.Transaction, fence: number) => attempts(trx).where({ fence, state: 'active' }).update({ state: 'releasing' }),

    /** Forgets the attempt: it issued, or Operations never closed the month for it. */
    forget: (fence: number, trx?: Knex.Transaction) => attempts(trx).where({ fence }).delete(),

    /** Forgets an attempt whose close was released. */
    released: (fence: number) => attempts().where({ fence, state: 'releasing' }).delete(),

    /** Attempts active since before the instant are taken as abandoned: they may no longer issue. */
    abandonStartedBefore: (instant: string) =>
      db.writeTransaction((trx) => attempts(trx).where('state', 'active').where('started_at', '<', instant).update({ state: 'releasing' })),

    /** Attempts waiting for their close to be released, oldest first. */
    async releasing(limit: number): Promise<Attempt[]> {
      return (await attempts().where('state', 'releasing').orderBy('fence').limit(limit)).map(toAttempt);
    },
  };
}
