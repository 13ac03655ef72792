/**
 * What an invoice run (or a stale issue) does for one billing account, decided
 * from the month's earnings and the live invoice alone: nothing, a failure,
 * the draft voided, a new draft, or the draft recomputed. Pure: writing it is
 * draftInvoices.ts's business.
 */
import { lineMinor, newId, sum, toJsonInteger } from '../../src/kernel/index.ts';
import type { EarningsFailure, PublisherEarnings } from '../operations/contract.ts';
import type { BillingAccount } from './data/models.ts';
import type { LiveInvoice } from './data/runPage.ts';

export interface DraftLine {
  appId: string;
  description: string;
  impressions: number;
  grossMicros: number;
  amountMinor: number;
}

/** A publisher the run could not invoice, and why. */
export interface RunFailure {
  publisherId: string;
  code: string;
  message: string;
}

/** One line per app that earned; each line rounded once, half-up, straight from gross; total = sum of lines. */
function draftLines(earnings: PublisherEarnings): { lines: DraftLine[]; totalMinor: number } {
  const lines = earnings.apps
    .filter((app) => app.grossMicros > 0)
    .sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0))
    .map((app) => ({
      appId: app.appId,
      description: app.name,
      impressions: app.impressions,
      grossMicros: app.grossMicros,
      amountMinor: toJsonInteger(lineMinor(app.grossMicros, earnings.revenueShareBps)),
    }));
  return { lines, totalMinor: toJsonInteger(sum(lines.map((line) => line.amountMinor))) };
}

function sameDraft(invoice: LiveInvoice, bps: number, lines: DraftLine[]): boolean {
  const old = invoice.lines ?? [];
  return (
    invoice.revenueShareBps === bps &&
    old.length === lines.length &&
    old.every((o, i) => {
      const n = lines[i]!;
      return (
        o.appId === n.appId &&
        o.description === n.description &&
        o.impressions === n.impressions &&
        o.grossMicros === n.grossMicros &&
        o.amountMinor === n.amountMinor
      );
    })
  );
}

/** What one account needs: nothing, its draft voided, a new draft, or its draft recomputed. */
export type Plan =
  | { kind: 'skip' }
  | { kind: 'fail'; failure: RunFailure }
  | { kind: 'void'; live: LiveInvoice }
  | { kind: 'create'; invoice: Record<string, unknown>; lines: DraftLine[] }
  | { kind: 'update'; live: LiveInvoice; patch: Record<string, unknown>; lines: DraftLine[] };

export function plan(
  run: { id: string | null; period: string },
  account: Pick<BillingAccount, 'publisherId' | 'currency'>,
  live: LiveInvoice | undefined,
  earnings: PublisherEarnings | EarningsFailure | undefined,
  now: string,
): Plan {
  // Issued and paid invoices never change: a correction is void + a new invoice.
  if (live && live.status !== 'draft') return { kind: 'skip' };
  if (earnings && 'failure' in earnings) return { kind: 'fail', failure: { publisherId: account.publisherId, ...earnings.failure } };
  const computed = earnings ? draftLines(earnings) : { lines: [], totalMinor: 0 };
  if (computed.totalMinor === 0) return live ? { kind: 'void', live } : { kind: 'skip' };
  const bps = earnings!.revenueShareBps;
  if (!live) {
    const invoice = {
      id: newId('inv'),
      publisherId: account.publisherId,
      period: run.period,
      status: 'draft',
      currency: account.currency,
      totalMinor: computed.totalMinor,
      paidMinor: 0,
      revenueShareBps: bps,
      runId: run.id,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    return { kind: 'create', invoice, lines: computed.lines };
  }
  if (sameDraft(live, bps, computed.lines)) return { kind: 'skip' };
  return {
    kind: 'update',
    live,
    patch: { totalMinor: computed.totalMinor, revenueShareBps: bps, runId: run.id, version: live.version + 1, updatedAt: now },
    lines: computed.lines,
  };
}
