import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CLIENT_DEFAULTS } from '../../shared/jira/client-options.ts';
import { machineInfo, runRecord } from '../machine.ts';
import { runBench, UsageError } from '../main.ts';
import { readResultsFile, writeResultsPart } from '../results-file.ts';
import type { BackfillRun } from './backfill-once.ts';
import type { StatusCounts } from './demo.ts';
import {
  growth,
  type Options,
  renderScaleReport,
  type ScaleBenchResults,
  type SizeFigures,
} from './scale-report.ts';

/**
 * `npm run bench:scale [-- --quick | --10k | --issues 1000,10000]`: backfills of growing numbers of existing
 * issues on the demo stack, each size in a fresh process (bench/scale/backfill-once.ts): wall time, Jira
 * calls, peak memory, and how the cost per issue grows with the size. The default sizes fit in about
 * eight minutes (100 and 1,000 issues); 10,000 takes over an hour (the worker's client paces each site
 * to 10 calls/s) and runs only when asked for (`--10k`: 1,000 and 10,000).
 */

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const CHILD = fileURLToPath(new URL('./backfill-once.ts', import.meta.url));
const OUT = fileURLToPath(new URL('../out/scale/', import.meta.url));

function parseOptions(argv: readonly string[]): Options {
  let options: Options = { mode: 'full', sizes: [100, 1000] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options = { mode: 'quick', sizes: [20, 100] };
    else if (arg === '--10k') options = { mode: 'custom', sizes: [1000, 10_000] };
    else if (arg === '--issues') {
      const sizes = (argv[++i] ?? '').split(',').map(Number);
      if (sizes.length < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
        throw new UsageError('--issues takes sizes such as 1000,10000');
      }
      options = { mode: 'custom', sizes: [...sizes].sort((a, b) => a - b) };
    } else {
      throw new UsageError(
        `unknown argument ${arg}\nusage: npm run bench:scale [-- --quick | --10k | --issues 1000,10000]`,
      );
    }
  }
  return options;
}

const total = (c: StatusCounts) =>
  Object.values(c).reduce((sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

function figures(r: BackfillRun): SizeFigures {
  const help = total(r.calls.help);
  const eng = total(r.calls.eng);
  return {
    issues: r.issues,
    date: new Date().toISOString(),
    wallSeconds: r.wallSeconds,
    enqueueSeconds: r.enqueueSeconds,
    msPerIssue: (r.wallSeconds * 1000) / r.issues,
    cpuMsPerIssue: (r.cpuSeconds * 1000) / r.issues,
    callsPerIssue: { help: help / r.issues, eng: eng / r.issues, total: (help + eng) / r.issues },
    callsPerSecond: { help: help / r.wallSeconds, eng: eng / r.wallSeconds },
    rssBeforeMiB: r.memory.rssBeforeMiB,
    rssPeakMiB: r.memory.rssPeakSampledMiB,
    rssGrowthMiB: Math.round((r.memory.rssPeakSampledMiB - r.memory.rssBeforeMiB) * 10) / 10,
    ...(r.memory.rssHighWaterMiB === undefined ? {} : { rssHighWaterMiB: r.memory.rssHighWaterMiB }),
    heapUsedPeakMiB: r.memory.heapUsedPeakMiB,
    run: r,
  };
}

async function runSize(issues: number): Promise<SizeFigures> {
  const out = `${OUT}backfill-${issues}.json`;
  await rm(out, { force: true });
  const child = execFile(
    process.execPath,
    ['--import', 'tsx', CHILD, '--issues', String(issues), '--out', out],
    {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  child.stderr?.pipe(process.stderr);
  child.stdout?.pipe(process.stderr);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the ${issues}-issue backfill failed (exit ${code})`);
  return figures(JSON.parse(await readFile(out, 'utf8')) as BackfillRun);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  progress(
    `scale ${options.mode} run (${options.sizes.join(', ')} issues) on ${machine.cpuCount} × ${machine.cpuModel}`,
  );
  await mkdir(OUT, { recursive: true });
  const sizes: SizeFigures[] = [];
  for (const issues of options.sizes) sizes.push(await runSize(issues));
  // Sizes measured only by an earlier full or custom run are kept (a 10,000 run); smoke runs are not.
  const earlier = (await readResultsFile()).scale as ScaleBenchResults | undefined;
  const previous = earlier?.settings.mode === 'quick' ? undefined : earlier;
  const kept = [...(previous?.sizes ?? []), ...(previous?.kept ?? [])].filter(
    (s) => !options.sizes.includes(s.issues),
  );
  const results: ScaleBenchResults = {
    ...runRecord(started, machine),
    settings: {
      ...options,
      clientPacing: { ...CLIENT_DEFAULTS.rate },
      workload:
        'N service-desk requests seeded on HELP and escalated without webhooks, then `jira-sync backfill --flow help-to-eng --local --no-wait` in-process; the clock runs from the command until every request has its ENG copy and the queue is empty. Each size in a fresh process.',
      stack:
        'startDemoStack (local/demo-stack.ts): demo configuration, Jira simulator, real ingest, fauxqs, two SQS pollers with the real worker, dynalite; one process on 127.0.0.1; logging silenced',
    },
    sizes,
    growth: sizes.slice(1).map((s, i) => growth(sizes[i] as SizeFigures, s)),
    ...(kept.length > 0 ? { kept } : {}),
  };
  await writeResultsPart('scale', results);
  process.stdout.write(`${renderScaleReport(results)}\n`);
  progress('wrote the scale part of bench/results.json');
}

runBench(main);
