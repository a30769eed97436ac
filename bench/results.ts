import type { BundleName, BundleResult } from './bundle.ts';
import type { InitResult } from './init-time.ts';
import type { LatencyResult } from './latency.ts';
import type { MachineInfo } from './machine.ts';
import type { BenchOptions } from './options.ts';

/** The shape of `bench/results.json`. Every ratio is ingest over baseline, both measured in the same run. */
export interface BenchResults {
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly settings: BenchOptions & {
    /** Whether Powertools log lines and EMF metrics were written (they were not: see `logging`). */
    readonly logging: string;
    readonly fixture: string;
    readonly bodyBytes: number;
    readonly sqs: string;
    readonly secretsManager: string;
  };
  readonly figures: {
    readonly latency: LatencyResult;
    readonly bundles: Record<BundleName, BundleResult>;
    readonly init: InitResult;
  };
  readonly ratios: {
    readonly latencyP50: number;
    readonly latencyP90: number;
    readonly latencyP99: number;
    readonly throughput: number;
    readonly cpuPerEvent: number;
    readonly bundleBytes: number;
    readonly bundleGzipBytes: number;
    readonly initMs: number;
  };
}
