/** How long and how big: `--quick` shrinks every size so the whole suite fits in under 3 minutes. */
export interface Settings {
  quick: boolean;
  /** Measured seconds per load round. */
  seconds: number;
  /** One warm-up slice, in seconds: slices go on until the rate stops rising (bench/lib/warmUp.ts). */
  warmupSeconds: number;
  /** At most this many warm-up slices per contender. */
  warmupSlices: number;
  /** Interleaved rounds of each comparison under load (figures 1 and 2): enough for a median and a spread. */
  rounds: number;
  /** Rounds of the whole-process figures (import, start-up, lint): each round is one long process per contender. */
  processRounds: number;
  /** Also profile (node --cpu-prof) the servers and CLI runs, outside the measured rounds. */
  profile: boolean;
  /** Report even when the machine was busy at the start of a figure (the page then says so). */
  acceptLoad: boolean;
  log: (line: string) => void;
}

export function settingsFrom(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  return {
    quick,
    seconds: quick ? 2 : 10,
    warmupSeconds: quick ? 1 : 3,
    // Quick: 2 s per contender; full: 6 to 30 s (the first round used to run far below the others).
    warmupSlices: quick ? 2 : 10,
    rounds: quick ? 1 : 5,
    processRounds: quick ? 1 : 3,
    // Profiles are taken in full runs (--quick stays under 3 minutes without them).
    profile: !quick && !argv.includes('--no-profile'),
    acceptLoad: argv.includes('--accept-load'),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
