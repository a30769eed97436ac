import type { MachineInfo } from '../machine.ts';
import type { SyncBenchOptions } from './options.ts';
import type { SequentialResult } from './sequential.ts';
import type { RunChecks } from './stack.ts';
import type { ThroughputResult } from './throughput.ts';

/** The `sync` part of `bench/results.json`. Ratios are pipeline over baseline, both measured in the same run. */
export interface SyncBenchResults {
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly settings: SyncBenchOptions & {
    readonly flow: string;
    readonly stack: string;
    readonly baseline: string;
    readonly logging: string;
  };
  readonly figures: {
    readonly sequential: SequentialResult;
    readonly throughput: ThroughputResult;
    /** Writes counted over `windowSeconds` after the pipeline settled: writes nobody asked for (goal 0). */
    readonly echo: { readonly windowSeconds: number; readonly writes: number };
    readonly checks: RunChecks;
  };
  readonly ratios: {
    /** Single-field change (summary, HELP → ENG) over the baseline's single-field sync. */
    readonly summaryP50: number;
    readonly summaryP95: number;
    readonly summaryP99: number;
    /** Every measured change over the baseline syncs of the same slots. */
    readonly allP50: number;
    readonly allP95: number;
    readonly allP99: number;
    readonly throughput: number;
    readonly cpuPerChange: number;
  };
}
