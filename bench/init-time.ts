import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as z from 'zod';
import type { BundleName, BundleResult } from './bundle.ts';
import { handlerEnvironment, OUT_DIR } from './local-stack.ts';
import type { BenchOptions } from './options.ts';
import { type Distribution, distribution, pairedRatios, type Spread, spread } from './stats.ts';

const run = promisify(execFile);
const RUNNER = fileURLToPath(new URL('./import-runner.mjs', import.meta.url));
const runnerOutput = z.strictObject({
  importMs: z.number().positive(),
  rssBytes: z.number().int().positive(),
});

export interface InitResult {
  readonly importMs: Record<BundleName, Distribution & { readonly samples: readonly number[] }>;
  readonly rssMiB: Record<BundleName, number>;
  /** Median import time of ingest over baseline; `ratioRounds` spreads each pair's ratio. */
  readonly ratio: number;
  readonly ratioRounds: Spread;
  readonly nodeOptions: string;
}

// What Lambda sets for these functions (cdk/constructs/jira-sync-function.ts); nothing leaks in from the
// parent (tsx's loader, a developer's NODE_OPTIONS).
const NODE_OPTIONS = '--enable-source-maps';

function childEnvironment(): Record<string, string> {
  // Nothing is contacted at init; port 9 (discard) makes any accidental call fail rather than go anywhere.
  const env = handlerEnvironment({
    sqs: 'http://127.0.0.1:9',
    secretsManager: 'http://127.0.0.1:9',
    queueUrl: 'http://127.0.0.1:9/000000000000/jira-sync-events.fifo',
  });
  // The bundle must carry its own config (esbuild define), as in Lambda: no file to fall back on.
  delete env.JIRA_SYNC_CONFIG;
  return { ...env, PATH: process.env.PATH ?? '', NODE_OPTIONS };
}

async function sample(file: string): Promise<z.infer<typeof runnerOutput>> {
  const { stdout } = await run(process.execPath, [RUNNER, file], {
    cwd: OUT_DIR,
    env: childEnvironment(),
    timeout: 30_000,
  });
  return runnerOutput.parse(JSON.parse(stdout));
}

/**
 * Module init time: `await import()` of each bundle in a fresh `node` process, baseline and ingest
 * alternating (and alternating which goes first), after a few unrecorded runs that warm the file cache.
 */
export async function measureInit(
  bundles: Record<BundleName, BundleResult>,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<InitResult> {
  const files = { ingest: `${OUT_DIR}ingest/index.mjs`, baseline: `${OUT_DIR}baseline/index.mjs` };
  for (const name of Object.keys(bundles) as BundleName[]) {
    for (let i = 0; i < options.initWarmupRuns; i++) await sample(files[name]);
  }
  const importMs: Record<BundleName, number[]> = { ingest: [], baseline: [] };
  const rss: Record<BundleName, number[]> = { ingest: [], baseline: [] };
  for (let round = 0; round < options.initRuns; round++) {
    const order: BundleName[] = round % 2 === 0 ? ['baseline', 'ingest'] : ['ingest', 'baseline'];
    for (const name of order) {
      const out = await sample(files[name]);
      importMs[name].push(out.importMs);
      rss[name].push(out.rssBytes);
    }
  }
  progress(`init: ${options.initRuns} fresh processes per bundle`);
  const ingest = distribution(importMs.ingest);
  const baseline = distribution(importMs.baseline);
  const mib = (samples: number[]) => Math.round((distribution(samples).p50 / 1024 ** 2) * 10) / 10;
  return {
    importMs: {
      ingest: { ...ingest, samples: importMs.ingest },
      baseline: { ...baseline, samples: importMs.baseline },
    },
    rssMiB: { ingest: mib(rss.ingest), baseline: mib(rss.baseline) },
    ratio: ingest.p50 / baseline.p50,
    ratioRounds: spread(pairedRatios(importMs.ingest, importMs.baseline)),
    nodeOptions: NODE_OPTIONS,
  };
}
