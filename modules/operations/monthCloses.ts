/**
 * Closing a publisher's month for an invoice being issued, synchronously and
 * checked: Billing's issue calls closeMonth with the figures its draft bills,
 * and the month closes only if they are the month's figures at that instant
 * (the exclusive month lock keeps delivery writes out while it looks).
 *
 * Each issue attempt brings a fence, a number that only grows: a close by an
 * older attempt than one already seen is refused, so an attempt given up and
 * released can never close the month again. A release reopens the month only
 * if that very attempt closed it; voiding the invoice reopens it whatever the
 * attempt.
 */
import type { Knex } from 'knex';
import {
  monthBounds,
  monthHasEnded,
  type Clock,
  type EventEnvelope,
  type EventPayload,
  type Facade,
  type ModuleDatabase,
} from '../../src/kernel/index.ts';
import type { InvoiceVoided } from '../billing/contract.ts';
import type { operationsContract, PublisherEarnings } from './contract.ts';
import { lockMonths, monthKey } from './data/monthLocks.ts';
import type { Earnings } from './earnings.ts';
import { periodNotEnded, publisherNotFound, totalTooLarge } from './errors.ts';

type Ops = Facade<typeof operationsContract>;
type CloseRequest = Parameters<Ops['closeMonth']>[0];

interface MonthCloseRow {
  invoice_id: string | null;
  fence: number | string;
}

/** The apps an invoice bills (those that earned), as the draft's lines hold them. */
function sameFigures(earnings: PublisherEarnings, expected: CloseRequest['expected']): boolean {
  const figures = (apps: { appId: string; grossMicros: number; impressions: number }[]) =>
    apps.map((a) => `${a.appId} ${a.grossMicros} ${a.impressions}`).sort();
  const billed = figures(earnings.apps.filter((app) => app.grossMicros > 0));
  const asked = figures(expected);
  return billed.length === asked.length && billed.every((line, i) => line === asked[i]);
}

interface MonthClosesDeps {
  db: ModuleDatabase;
  clock: Clock;
  earnings: Earnings;
}

export function makeMonthCloses({ db, clock, earnings: earningsOf }: MonthClosesDeps) {
  async function lockedRow(trx: Knex.Transaction, publisherId: string, period: string): Promise<MonthCloseRow | undefined> {
    await lockMonths(trx, db.dialect, [monthKey(publisherId, period)], 'exclusive');
    return trx('month_closes').where({ publisher_id: publisherId, period }).first('invoice_id', 'fence');
  }

  return {
    async close({ publisherId, period, invoiceId, fence, expected }: CloseRequest): ReturnType<Ops['closeMonth']> {
      if (!monthHasEnded(period, clock.now())) throw periodNotEnded(period);
      return db.writeTransaction(async (trx) => {
        const row = await lockedRow(trx, publisherId, period);
        const seen = row ? Number(row.fence) : 0;
        // The same attempt again (its answer was lost) is answered again; a released or older one is refused.
        if (fence < seen || (fence === seen && row?.invoice_id !== invoiceId)) return { outcome: 'superseded', earnings: null };
        const [earnings] = await earningsOf.forMonth([publisherId], period, trx);
        if (!earnings) throw publisherNotFound(publisherId);
        if ('failure' in earnings) throw totalTooLarge(monthBounds(period));
        if (!sameFigures(earnings, expected)) return { outcome: 'stale', earnings };
        await trx('month_closes')
          .insert({ publisher_id: publisherId, period, invoice_id: invoiceId, fence, closed_at: clock.now().toISOString() })
          .onConflict(['publisher_id', 'period'])
          .merge(['invoice_id', 'fence', 'closed_at']);
        return { outcome: 'closed', earnings };
      });
    },

    async release({ publisherId, period, invoiceId, fence }: Parameters<Ops['releaseMonth']>[0]): ReturnType<Ops['releaseMonth']> {
      return db.writeTransaction(async (trx) => {
        const row = await lockedRow(trx, publisherId, period);
        if (!row || row.invoice_id !== invoiceId || Number(row.fence) !== fence) return { released: false };
        await trx('month_closes').where({ publisher_id: publisherId, period }).update({ invoice_id: null, closed_at: null });
        return { released: true };
      });
    },

    /** billing.InvoiceVoided: the month reopens if this invoice closed it (a later invoice's close stays). */
    async reopenMonth(event: EventEnvelope<EventPayload<typeof InvoiceVoided>>, trx: Knex.Transaction): Promise<void> {
      const { publisherId, period, invoiceId } = event.payload;
      const row = await lockedRow(trx, publisherId, period);
      if (row?.invoice_id !== invoiceId) return;
      await trx('month_closes').where({ publisher_id: publisherId, period }).update({ invoice_id: null, closed_at: null });
    },
  };
}

export type MonthCloses = ReturnType<typeof makeMonthCloses>;
