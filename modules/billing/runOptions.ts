/** How invoice runs page through accounts, hold their lease and retry: production's defaults, smaller in tests. */
export interface InvoiceRunOptions {
  /**
   * Billing accounts per page: one read, one earnings call and one commit each; at most 1,000, the most Operations'
   * earningsForMonth takes in one call. A page's memory is its accounts' drafts, whatever the number of publishers.
   */
  pageSize: number;
  /**
   * How long a claim lasts unless renewed. The worker renews it every third of this while it
   * runs the run, so only a dead or stalled worker's run waits this long to be taken over.
   */
  leaseMs: number;
  /** How often an idle worker looks for queued runs (a run queued in this process wakes it at once). */
  pollMs: number;
  /** Waits between retries of a failed earnings call before the run is marked failed. */
  retryDelaysMs: number[];
}

export const DEFAULT_RUN_OPTIONS: InvoiceRunOptions = { pageSize: 1_000, leaseMs: 10_000, pollMs: 1_000, retryDelaysMs: [1_000, 5_000] };
