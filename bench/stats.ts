/** Small descriptive statistics; samples are never assumed normal (shared, noisy machine). */

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spread(samples: readonly number[]): Spread {
  return { min: Math.min(...samples), median: median(samples), max: Math.max(...samples) };
}

export interface Distribution {
  readonly n: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
}

export function distribution(samples: readonly number[]): Distribution {
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    n: samples.length,
    p10: percentile(samples, 10),
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    mean: samples.length === 0 ? Number.NaN : sum / samples.length,
  };
}

/** Element-wise ratios of paired samples (round i of the subject over round i of the baseline). */
export function pairedRatios(subject: readonly number[], baseline: readonly number[]): number[] {
  return subject.map((s, i) => s / (baseline[i] ?? Number.NaN));
}
