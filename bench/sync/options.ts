import { UsageError } from '../main.ts';
/** How much the sync bench measures: the full run 1,020 changes (about 7 min on 2 cores); --quick 60 (about 40 s). */
export interface SyncBenchOptions {
  readonly mode: 'full' | 'quick';
  /**
   * Rounds of sequential changes. Each round plays the same mix of change kinds (`mix`) in a shuffled
   * order; every change is paired with one baseline sync in the same slot, and which of the two goes first
   * alternates from slot to slot (ABBA…), so drift in machine load falls on both alike.
   */
  readonly rounds: number;
  /** Changes per kind in one round; `status` alternates resolving and reopening. */
  readonly mix: {
    readonly summaryHelpToEng: number;
    readonly summaryEngToHelp: number;
    readonly commentHelpToEng: number;
    readonly commentEngToHelp: number;
    readonly status: number;
  };
  /** Unmeasured changes (and baseline syncs) first: JIT, keep-alive sockets, caches. */
  readonly warmupChanges: number;
  /** Linked issue pairs (and baseline pairs): sequential changes rotate over them; all are edited at once for throughput. */
  readonly concurrency: number;
  /** Throughput: rounds of one pipeline block and one baseline block, which goes first alternating (AB BA). */
  readonly throughputRounds: number;
  /** Per block: unmeasured time first (the client's token bucket drains to its steady state), then the measured window. */
  readonly throughputWarmupMs: number;
  readonly throughputMeasureMs: number;
  /** After everything settled, how long the bench watches for writes that nobody asked for (echoes). */
  readonly echoWindowMs: number;
}

const FULL: SyncBenchOptions = {
  mode: 'full',
  rounds: 34,
  mix: { summaryHelpToEng: 10, summaryEngToHelp: 12, commentHelpToEng: 2, commentEngToHelp: 2, status: 4 },
  warmupChanges: 6,
  concurrency: 8,
  throughputRounds: 2,
  throughputWarmupMs: 1000,
  throughputMeasureMs: 4000,
  echoWindowMs: 2000,
};

const QUICK: SyncBenchOptions = {
  ...FULL,
  mode: 'quick',
  rounds: 2,
  warmupChanges: 6,
  throughputRounds: 1,
  throughputWarmupMs: 1000,
  throughputMeasureMs: 2000,
  echoWindowMs: 1000,
};

export function parseSyncOptions(argv: readonly string[]): SyncBenchOptions {
  let options = FULL;
  for (const arg of argv) {
    if (arg === '--quick') options = QUICK;
    else if (arg === '--help' || arg === '-h') throw new UsageError(usage());
    else throw new UsageError(`unknown argument ${arg}\n${usage()}`);
  }
  return options;
}

function usage(): string {
  return 'usage: npm run bench:sync [-- --quick]';
}

export function changesPerRound(options: SyncBenchOptions): number {
  return Object.values(options.mix).reduce((a, b) => a + b, 0);
}
