import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import * as z from 'zod';
import { type Contributor, folderOf, lambdaBuildOptions, packageOf, ROOT } from './bundle.ts';
import { BenchCheckFailed } from './latency.ts';
import { handlerEnvironment, OUT_DIR } from './local-stack.ts';
import { type MachineInfo, machineInfo, runRecord } from './machine.ts';
import { runBench, UsageError } from './main.ts';
import { readResultsFile, writeResultsPart } from './results-file.ts';
import { type Distribution, distribution, pairedRatios, type Spread, spread } from './stats.ts';

/**
 * Worker (and sweep) bundle size and module init time against the ingest bench's baseline, a handler that
 * imports only the SQS client (bench/baseline/sqs-only-handler.ts), measured again in the same run.
 *
 * `npm run bench:worker [-- --quick]` on its own; `npm run bench` runs it after the ingest bench (its
 * `postbench` hook, `--after-bench`), taking quick or full from the settings the ingest bench just wrote.
 */

const RUNNER = fileURLToPath(new URL('./import-runner.mjs', import.meta.url));
const run = promisify(execFile);
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

const ENTRIES = {
  'sync-worker': 'functions/sync-worker/handler.ts',
  // The same handler with the tracer replaced by bench/baseline/tracer-stub.ts: what tracing costs.
  'sync-worker (no tracer)': 'functions/sync-worker/handler.ts',
  sweep: 'functions/sweep/handler.ts',
  baseline: 'bench/baseline/sqs-only-handler.ts',
} as const;
type Entry = keyof typeof ENTRIES;
type Measured = 'sync-worker' | 'sync-worker (no tracer)' | 'sweep' | 'baseline';
/** Init subjects: the four bundles, and the real worker bundle again with tracing switched off. */
const SUBJECTS = [
  'baseline',
  'sync-worker',
  'sync-worker (tracing off)',
  'sync-worker (no tracer)',
  'sweep',
] as const;
type Subject = (typeof SUBJECTS)[number];

const TRACER_PACKAGE = 'node_modules/@aws-lambda-powertools/tracer/';
const TRACER_STUB = fileURLToPath(new URL('./baseline/tracer-stub.ts', import.meta.url));

/** Resolves `@aws-lambda-powertools/tracer` and `/middleware` to the stub. */
const stubTracer: Plugin = {
  name: 'stub-tracer',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/tracer(\/middleware)?$/ }, () => ({ path: TRACER_STUB }));
  },
};

const outDir = (name: Entry) =>
  ({
    'sync-worker': 'sync-worker',
    'sync-worker (no tracer)': 'sync-worker-no-tracer',
    sweep: 'sweep',
    baseline: 'worker-baseline',
  })[name];

interface WorkerBundle {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  readonly topPackages: readonly Contributor[];
  readonly topFolders: readonly Contributor[];
  /** Bytes of the inputs reachable only through `@aws-lambda-powertools/tracer` (X-Ray SDK and its deps). */
  readonly tracingOnly: { readonly bytes: number; readonly packages: readonly Contributor[] };
}

export interface WorkerBenchResults {
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly settings: {
    readonly mode: 'full' | 'quick';
    readonly initRuns: number;
    readonly initWarmupRuns: number;
    readonly esbuild: string;
    readonly environment: string;
    readonly nodeOptions: string;
  };
  readonly bundles: Record<Measured, WorkerBundle>;
  readonly init: {
    readonly importMs: Record<Subject, Distribution & { readonly samples: readonly number[] }>;
    readonly rssMiB: Record<Subject, number>;
    /** Per-round paired ratios of each subject's import time over the baseline's. */
    readonly ratioRounds: Record<Exclude<Subject, 'baseline'>, Spread>;
    /** Per-round paired ratios of the real worker's import time over the worker built without the tracer. */
    readonly tracerRounds: Spread;
  };
  readonly ratios: {
    readonly workerBytes: number;
    readonly workerGzipBytes: number;
    readonly workerInitMs: number;
    /** The real worker over the same worker built without the tracer. */
    readonly tracingBytes: number;
    readonly tracingInitMs: number;
    readonly sweepBytes: number;
    readonly sweepGzipBytes: number;
    readonly sweepInitMs: number;
  };
}

async function bundle(name: Entry): Promise<WorkerBundle> {
  const outfile = `${OUT_DIR}${outDir(name)}/index.mjs`;
  const result = await build({
    ...lambdaBuildOptions(`${ROOT}${ENTRIES[name]}`, outfile),
    ...(name === 'sync-worker (no tracer)' ? { plugins: [stubTracer] } : {}),
  });
  const code = readFileSync(outfile);
  const output = result.metafile.outputs[relative(ROOT, outfile)];
  if (!output) throw new BenchCheckFailed(`esbuild wrote no ${outfile}`);
  const inputs = Object.entries(output.inputs).map(([input, v]) => ({ name: input, bytes: v.bytesInOutput }));
  const only = tracingOnly(result.metafile, ENTRIES[name], new Map(inputs.map((i) => [i.name, i.bytes])));
  return {
    file: relative(ROOT, outfile),
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    sourceMapBytes: readFileSync(`${outfile}.map`).length,
    topPackages: top(grouped(inputs, packageOf), 8),
    topFolders: top(grouped(inputs, folderOf), 8),
    tracingOnly: only,
  };
}

function grouped(inputs: readonly Contributor[], key: (input: string) => string): Contributor[] {
  const sums = new Map<string, number>();
  for (const input of inputs) sums.set(key(input.name), (sums.get(key(input.name)) ?? 0) + input.bytes);
  return [...sums].map(([name, bytes]) => ({ name, bytes }));
}

const top = (list: Contributor[], n: number) => list.sort((a, b) => b.bytes - a.bytes).slice(0, n);

/**
 * What the tracer brings: the inputs no longer reachable from the entry once the import graph is cut at
 * the tracer package's files. They would leave the bundle with the tracer.
 */
function tracingOnly(
  metafile: Metafile,
  entry: string,
  bytesInOutput: ReadonlyMap<string, number>,
): WorkerBundle['tracingOnly'] {
  const reachable = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const input = queue.pop() as string;
    if (reachable.has(input) || input.includes(TRACER_PACKAGE)) continue;
    reachable.add(input);
    for (const imported of metafile.inputs[input]?.imports ?? []) {
      if (!imported.external) queue.push(imported.path);
    }
  }
  // `<define:…>` and other virtual inputs have no importer in the graph: never count them.
  const cut = [...bytesInOutput]
    .filter(([input, bytes]) => bytes > 0 && !input.startsWith('<') && !reachable.has(input))
    .map(([name, bytes]) => ({ name, bytes }));
  return {
    bytes: cut.reduce((sum, c) => sum + c.bytes, 0),
    packages: top(grouped(cut, packageOf), 10),
  };
}

// What Lambda sets for these functions (cdk/constructs/jira-sync-function.ts), as in bench/init-time.ts.
const NODE_OPTIONS = '--enable-source-maps';

/**
 * The functions' environment with endpoints nobody answers (port 9: discard), plus `AWS_EXECUTION_ENV`
 * as Lambda sets it: with it the Powertools tracer is on (the functions deploy with active tracing) and
 * patches `http`, `https` and `fetch` at init, as it does in AWS. No config file: the bundle carries it.
 */
function childEnvironment(subject: Subject): Record<string, string> {
  const nowhere = 'http://127.0.0.1:9';
  const env: Record<string, string> = {
    ...handlerEnvironment({
      sqs: nowhere,
      secretsManager: nowhere,
      queueUrl: `${nowhere}/000000000000/jira-sync-events.fifo`,
    }),
    AWS_ENDPOINT_URL_DYNAMODB: nowhere,
    JIRA_SYNC_DLQ_URL: `${nowhere}/000000000000/jira-sync-events-dlq.fifo`,
    JIRA_SYNC_STATE_TABLE: 'jira-sync-state',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS,
  };
  delete env.JIRA_SYNC_CONFIG;
  if (subject === 'sync-worker (tracing off)') env.POWERTOOLS_TRACE_ENABLED = 'false';
  return env;
}

const runnerOutput = z.strictObject({
  importMs: z.number().positive(),
  rssBytes: z.number().int().positive(),
});

function fileOf(subject: Subject, bundles: Record<Measured, WorkerBundle>): string {
  const name: Measured = subject === 'sync-worker (tracing off)' ? 'sync-worker' : subject;
  return `${ROOT}${bundles[name].file}`;
}

async function sample(subject: Subject, bundles: Record<Measured, WorkerBundle>) {
  try {
    const { stdout } = await run(process.execPath, [RUNNER, fileOf(subject, bundles)], {
      cwd: OUT_DIR,
      env: childEnvironment(subject),
      timeout: 30_000,
    });
    return runnerOutput.parse(JSON.parse(stdout));
  } catch (error) {
    // A failing import prints a minified line of the bundle: keep the stack's last lines only.
    const stderr = String((error as { stderr?: unknown }).stderr ?? error);
    throw new BenchCheckFailed(`${subject}: the import failed: ${stderr.split('\n').slice(-12).join('\n')}`);
  }
}

function bySubject<T>(value: (subject: Subject) => T): Record<Subject, T> {
  return {
    baseline: value('baseline'),
    'sync-worker': value('sync-worker'),
    'sync-worker (tracing off)': value('sync-worker (tracing off)'),
    'sync-worker (no tracer)': value('sync-worker (no tracer)'),
    sweep: value('sweep'),
  };
}

/** Fresh `node` processes, the subjects in a rotating order per round (each goes first as often). */
async function measureInit(
  bundles: Record<Measured, WorkerBundle>,
  mode: Mode,
): Promise<WorkerBenchResults['init']> {
  for (const subject of SUBJECTS) {
    for (let i = 0; i < mode.initWarmupRuns; i++) await sample(subject, bundles);
  }
  const importMs = bySubject((): number[] => []);
  const rss = bySubject((): number[] => []);
  for (let round = 0; round < mode.initRuns; round++) {
    const order = SUBJECTS.map((_, i) => SUBJECTS[(i + round) % SUBJECTS.length] as Subject);
    for (const subject of order) {
      const out = await sample(subject, bundles);
      importMs[subject].push(out.importMs);
      rss[subject].push(out.rssBytes);
    }
  }
  const mib = (samples: number[]) => Math.round((distribution(samples).p50 / 1024 ** 2) * 10) / 10;
  const ratioRounds = (subject: Exclude<Subject, 'baseline'>) =>
    spread(pairedRatios(importMs[subject], importMs.baseline));
  return {
    importMs: bySubject((s) => ({ ...distribution(importMs[s]), samples: importMs[s] })),
    rssMiB: bySubject((s) => mib(rss[s])),
    ratioRounds: {
      'sync-worker': ratioRounds('sync-worker'),
      'sync-worker (tracing off)': ratioRounds('sync-worker (tracing off)'),
      'sync-worker (no tracer)': ratioRounds('sync-worker (no tracer)'),
      sweep: ratioRounds('sweep'),
    },
    tracerRounds: spread(pairedRatios(importMs['sync-worker'], importMs['sync-worker (no tracer)'])),
  };
}

interface Mode {
  readonly mode: 'full' | 'quick';
  readonly initRuns: number;
  readonly initWarmupRuns: number;
}
// Twice bench/options.ts's 15 (quick 5) processes per subject: five subjects share the noise of one
// machine, and a sample costs about 0.1 s.
const FULL: Mode = { mode: 'full', initRuns: 30, initWarmupRuns: 2 };
const QUICK: Mode = { mode: 'quick', initRuns: 5, initWarmupRuns: 1 };

async function parseMode(argv: readonly string[]): Promise<{ mode: Mode; afterBench: boolean }> {
  let mode = FULL;
  let afterBench = false;
  for (const arg of argv) {
    if (arg === '--quick') mode = QUICK;
    else if (arg === '--after-bench') afterBench = true;
    else throw new UsageError(`unknown argument ${arg}\nusage: npm run bench:worker [-- --quick]`);
  }
  if (afterBench) {
    // npm passes `-- --quick` to the `bench` script only: follow the run that just finished.
    const settings = (await readResultsFile()).settings as { mode?: unknown } | undefined;
    if (settings?.mode === 'quick') mode = QUICK;
  }
  return { mode, afterBench };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const x = (v: number) => `${v.toFixed(2)}×`;
const ms = (v: number) => v.toFixed(2);
const range = (s: Spread) => `${s.min.toFixed(2)}–${s.median.toFixed(2)}–${s.max.toFixed(2)}×`;
const listed = (items: readonly Contributor[]) => items.map((c) => `${c.name} ${kib(c.bytes)}`).join(', ');

export function renderWorkerReport(r: WorkerBenchResults): string {
  const b = r.bundles;
  const i = r.init;
  const bytes = (v: number) => v.toLocaleString('en');
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const W = 'sync-worker';
  const N = 'sync-worker (no tracer)';
  const bundleRow = (label: string, f: (bundle: WorkerBundle) => number) => [
    label,
    bytes(f(b[W])),
    bytes(f(b[N])),
    bytes(f(b.sweep)),
    bytes(f(b.baseline)),
    x(f(b[W]) / f(b.baseline)),
    x(f(b[N]) / f(b.baseline)),
    x(f(b.sweep) / f(b.baseline)),
    '',
  ];
  const initRow = (label: string, stat: 'p50' | 'p90', rounds: boolean) => [
    label,
    ms(i.importMs[W][stat]),
    ms(i.importMs[N][stat]),
    ms(i.importMs.sweep[stat]),
    ms(i.importMs.baseline[stat]),
    x(i.importMs[W][stat] / i.importMs.baseline[stat]),
    x(i.importMs[N][stat] / i.importMs.baseline[stat]),
    x(i.importMs.sweep[stat] / i.importMs.baseline[stat]),
    rounds ? `${range(i.ratioRounds[W])} / ${range(i.ratioRounds[N])}` : '',
  ];
  const off = i.importMs['sync-worker (tracing off)'];
  const rows = [
    bundleRow('Bundle, minified (bytes)', (v) => v.bytes),
    bundleRow('Bundle, gzip (bytes)', (v) => v.gzipBytes),
    initRow('Module init, median (ms)', 'p50', true),
    initRow('Module init, p90 (ms)', 'p90', false),
    [
      'RSS after init (MiB)',
      String(i.rssMiB[W]),
      String(i.rssMiB[N]),
      String(i.rssMiB.sweep),
      String(i.rssMiB.baseline),
      x(i.rssMiB[W] / i.rssMiB.baseline),
      x(i.rssMiB[N] / i.rssMiB.baseline),
      x(i.rssMiB.sweep / i.rssMiB.baseline),
      '',
    ],
  ];
  const m = r.machine;
  const s = r.settings;
  return [
    `### jira-sync worker bundle bench, ${r.date} (${s.mode}, ${r.durationSeconds.toFixed(0)} s)`,
    '',
    '| Figure | sync-worker | worker, no tracer | sweep | baseline | worker / baseline | no tracer / baseline | sweep / baseline | per-round ratio to baseline, worker / no tracer (min–median–max) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(row),
    '',
    `- Tracing: ${kib(b[W].bytes - b[N].bytes)} of the worker bundle (${((1 - b[N].bytes / b[W].bytes) * 100).toFixed(0)} %) and ` +
      `${ms(i.importMs[W].p50 - i.importMs[N].p50)} ms of its median init (${x(i.importMs[W].p50 / i.importMs[N].p50)}, per round ${range(i.tracerRounds)}). ` +
      `Only reachable through @aws-lambda-powertools/tracer: ${listed(b[W].tracingOnly.packages)}. ` +
      `The real bundle with POWERTOOLS_TRACE_ENABLED=false initialises in ${ms(off.p50)} ms median ` +
      `(${x(off.p50 / i.importMs.baseline.p50)} the baseline, per round ${range(i.ratioRounds['sync-worker (tracing off)'])}).`,
    `- Init: \`await import()\` of each bundle in ${s.initRuns} fresh \`node ${s.nodeOptions}\` processes per subject ` +
      `after ${s.initWarmupRuns} unrecorded ones, order rotating per round. ${s.environment}`,
    `- Bundles: ${s.esbuild}. "No tracer": the same worker with @aws-lambda-powertools/tracer resolved to bench/baseline/tracer-stub.ts.`,
    `- sync-worker, largest packages: ${listed(b[W].topPackages)}.`,
    `- sweep, largest packages: ${listed(b.sweep.topPackages)}.`,
    `- Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform} ${m.arch}, Node ${m.node}; ` +
      `load average ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end?.toFixed(2) ?? '?'} at end.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { mode } = await parseMode(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  progress(`worker bundle ${mode.mode} run`);

  const bundles: Record<Measured, WorkerBundle> = {
    'sync-worker': await bundle('sync-worker'),
    'sync-worker (no tracer)': await bundle('sync-worker (no tracer)'),
    sweep: await bundle('sweep'),
    baseline: await bundle('baseline'),
  };
  progress(
    `bundled: sync-worker ${bundles['sync-worker'].bytes} B (no tracer ${bundles['sync-worker (no tracer)'].bytes} B), sweep ${bundles.sweep.bytes} B, baseline ${bundles.baseline.bytes} B`,
  );
  const init = await measureInit(bundles, mode);
  progress(`init: ${mode.initRuns} fresh processes per subject`);

  const results: WorkerBenchResults = {
    ...runRecord(started, machine),
    settings: {
      ...mode,
      esbuild:
        'as cdk/constructs/jira-sync-function.ts (ESM, node24, minify, tree-shaking, mainFields module,main, AWS SDK bundled, createRequire banner, external source map without sources, config compiled in through define), the options of bench/bundle.ts',
      environment:
        'Environment: the functions’ variables with unreachable endpoints, POWERTOOLS_LOG_LEVEL=SILENT, POWERTOOLS_METRICS_DISABLED=true, AWS_EXECUTION_ENV=AWS_Lambda_nodejs24.x (tracer on, as deployed); “tracing off” adds POWERTOOLS_TRACE_ENABLED=false.',
      nodeOptions: NODE_OPTIONS,
    },
    bundles,
    init,
    ratios: {
      workerBytes: bundles['sync-worker'].bytes / bundles.baseline.bytes,
      workerGzipBytes: bundles['sync-worker'].gzipBytes / bundles.baseline.gzipBytes,
      workerInitMs: init.importMs['sync-worker'].p50 / init.importMs.baseline.p50,
      tracingBytes: bundles['sync-worker'].bytes / bundles['sync-worker (no tracer)'].bytes,
      tracingInitMs: init.importMs['sync-worker'].p50 / init.importMs['sync-worker (no tracer)'].p50,
      sweepBytes: bundles.sweep.bytes / bundles.baseline.bytes,
      sweepGzipBytes: bundles.sweep.gzipBytes / bundles.baseline.gzipBytes,
      sweepInitMs: init.importMs.sweep.p50 / init.importMs.baseline.p50,
    },
  };
  await writeResultsPart('worker', results);
  process.stdout.write(`${renderWorkerReport(results)}\n`);
  progress('wrote the worker part of bench/results.json');
}

runBench(main);
