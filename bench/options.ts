import { UsageError } from './main.ts';
/** How much to measure. The default fits in about two minutes on a 2-core machine; --quick in about 20 s. */
export interface BenchOptions {
  readonly mode: 'full' | 'quick';
  /**
   * ABAB rounds for the in-process latency and throughput benches. Many short blocks rather than a few
   * long ones: load from other processes comes in bursts, and short pairs see the same burst.
   */
  readonly rounds: number;
  /** Calls per subject made before any round, unmeasured: JIT, keep-alive sockets, secret cache. */
  readonly warmupCalls: number;
  /** Sequential calls per subject per round (latency). */
  readonly sequentialCalls: number;
  /** Events per subject per round at `concurrency` in flight (throughput). */
  readonly throughputEvents: number;
  readonly concurrency: number;
  /** Fresh `node` processes per bundle for the init-time bench, alternating baseline and ingest. */
  readonly initRuns: number;
  /** Unrecorded processes per bundle first, so the file cache is warm for both. */
  readonly initWarmupRuns: number;
}

const FULL: BenchOptions = {
  mode: 'full',
  rounds: 30,
  warmupCalls: 500,
  sequentialCalls: 300,
  throughputEvents: 500,
  concurrency: 16,
  initRuns: 15,
  initWarmupRuns: 2,
};

const QUICK: BenchOptions = {
  mode: 'quick',
  rounds: 6,
  warmupCalls: 150,
  sequentialCalls: 150,
  throughputEvents: 300,
  concurrency: 16,
  initRuns: 5,
  initWarmupRuns: 1,
};

export function parseOptions(argv: readonly string[]): BenchOptions {
  let options = FULL;
  for (const arg of argv) {
    if (arg === '--quick') options = QUICK;
    else if (arg === '--help' || arg === '-h') throw new UsageError(usage());
    else throw new UsageError(`unknown argument ${arg}\n${usage()}`);
  }
  return options;
}

function usage(): string {
  return 'usage: npm run bench [-- --quick]';
}
