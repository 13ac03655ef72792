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
    seconds: quick ? 3 : 10,
    warmupSeconds: quick ? 2 : 5,
    rounds: 3,
    profile: !argv.includes('--no-profile'),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
