/** Everything a run measured, saved as JSON so that the report can be rendered again without measuring (`--report FILE`). */
import type { LintResult } from './lint.ts';
import type { StartupResult } from './footprint.ts';
import type { HopResult } from './hop.ts';
import type { HotReadResult } from './hotRead.ts';
import type { IngestResult } from './ingest.ts';
import type { InvoiceRunPoint } from './invoiceRun.ts';
import type { Dialect } from './lib/databases.ts';
import type { Machine } from './lib/machine.ts';
import { loadRefusal, type FigureLoad } from './lib/machineLoad.ts';

export interface Results {
  quick: boolean;
  machine: Machine;
  startedAt: string;
  minutes: number;
  loadAverage: { before: number[]; after: number[] };
  /** The load average around each figure, in the order they ran. */
  figureLoads: FigureLoad[];
  /** Set when the page was written with --accept-load although a figure started on a busy machine: why it was busy. */
  highLoad: string | null;
  dialects: Dialect[];
  skipped: string[];
  hot: HotReadResult[];
  hop: HopResult[];
  ingest: IngestResult[];
  runs: InvoiceRunPoint[];
  runSizes: number[];
  lint: LintResult | null;
  startup: StartupResult[];
}

/** `v20.18.1` → `Node 20`: the runtime a column of figures was measured on. */
export const nodeMajor = (r: Results) => `Node ${r.machine.node.replace(/^v/, '').split('.')[0]}`;

/** Why a run's figures may not be reported, or null (see loadRefusal). */
export const refusalOf = (r: Results) => loadRefusal(r.figureLoads ?? []);
