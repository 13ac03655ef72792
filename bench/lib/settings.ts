/** How long and how big: `--quick` shrinks every size so the whole suite fits in under 3 minutes. */
export interface Settings {
  quick: boolean;
  /** Measured seconds per load round. */
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** Also profile (node --cpu-prof) the servers and CLI runs, outside the measured rounds. */
  profile: boolean;
  log: (line: string) => void;
}

export function settingsFrom(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  return {
    quick,
    seconds: quick ? 2 : 10,
    warmupSeconds: quick ? 1 : 5,
    rounds: quick ? 2 : 3,
    // Profiles are taken in full runs (--quick stays under 3 minutes without them).
    profile: !quick && !argv.includes('--no-profile'),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
