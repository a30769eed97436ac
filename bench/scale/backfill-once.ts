import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { BackfillResult } from '../../shared/cli/backfill.ts';
import { runCli } from '../../shared/cli/main.ts';
import { memoryOutput } from '../../shared/cli/output.ts';
import { localDeployment, localStackFile } from '../../shared/cli/target.ts';
import { collectGarbage } from '../gc.ts';
import { BenchCheckFailed } from '../latency.ts';
import { runBench } from '../main.ts';
import {
  countsSince,
  FLOW_ID,
  type RunChecks,
  type StatusCounts,
  startBenchDemo,
  statusCounts,
} from './demo.ts';

/**
 * One backfill of `--issues N` on a fresh demo stack, in a process of its own (the stack and the worker's
 * module state are per process, and the memory figures must be this run's alone). Run by
 * bench/scale/backfill.ts, which writes the JSON this leaves in `--out`.
 *
 * 1. N service-desk requests are seeded on HELP and escalated, without webhooks (`site.quietly`): issues
 *    that predate jira-sync, in the flow's scope (`status = Escalated`).
 * 2. `jira-sync backfill --flow help-to-eng --local --no-wait`, in-process against this stack (as the CLI
 *    tests run it): it pages through the search and enqueues one sweep event per issue.
 * 3. The clock stops when every request has its ENG copy and the queue is empty (polled every 100 ms).
 */

export interface BackfillRun {
  readonly issues: number;
  readonly seedSeconds: number;
  /** From the command's start until it had enqueued every issue. */
  readonly enqueueSeconds: number;
  /** From the command's start until all copies existed and the queue was empty. */
  readonly wallSeconds: number;
  /** Process CPU (user + system, all threads: simulator, stack, worker, CLI) over the wall time. */
  readonly cpuSeconds: number;
  readonly calls: { readonly help: StatusCounts; readonly eng: StatusCounts };
  readonly callsTotal: { readonly help: number; readonly eng: number; readonly non2xx: number };
  readonly memory: {
    /** RSS once the stack is up and the issues seeded, before the backfill. */
    readonly rssBeforeMiB: number;
    /** Highest RSS sampled every 100 ms during the backfill. */
    readonly rssPeakSampledMiB: number;
    /** The kernel's high-water mark for the whole process life (VmHWM), seeding included. */
    readonly rssHighWaterMiB?: number;
    readonly heapUsedPeakMiB: number;
    readonly samples: number;
  };
  readonly copies: number;
  readonly backfill: BackfillResult;
  readonly checks: RunChecks;
}

const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

function highWaterMiB(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

function parseArgs(argv: readonly string[]): { issues: number; out: string } {
  const issues = Number(argv[argv.indexOf('--issues') + 1]);
  const out = argv[argv.indexOf('--out') + 1];
  if (!Number.isInteger(issues) || issues < 1 || !out || argv.indexOf('--out') === -1) {
    throw new Error('usage: tsx bench/scale/backfill-once.ts --issues <n> --out <file.json>');
  }
  return { issues, out };
}

async function main(): Promise<void> {
  const { issues, out } = parseArgs(process.argv.slice(2));
  const progress = (line: string) => process.stderr.write(`bench: scale ${issues}: ${line}\n`);
  // A batch waits behind the client's pacing; it must not become visible again meanwhile.
  const bench = await startBenchDemo({ visibilityTimeoutSeconds: 300 });
  try {
    const prefix = 'scale bench request';
    const seedStarted = performance.now();
    bench.help.quietly(() => {
      for (let i = 0; i < issues; i++) {
        const request = bench.help
          .as('carol')
          .raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary: `${prefix} ${i}` });
        bench.help.as('alice').transition(request.key, 'Escalate');
      }
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    progress(`${issues} escalated requests seeded in ${seedSeconds.toFixed(1)} s`);

    const copies = () => {
      let n = 0;
      for (const issue of bench.eng.state.issues.values()) if (issue.summary.startsWith(prefix)) n++;
      return n;
    };
    collectGarbage();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let heapPeak = process.memoryUsage().heapUsed;
    let samples = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      rssPeak = Math.max(rssPeak, m.rss);
      heapPeak = Math.max(heapPeak, m.heapUsed);
      samples++;
    }, 100);
    const before = { help: statusCounts(bench.help), eng: statusCounts(bench.eng) };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();

    const deployment = localDeployment(localStackFile(bench.demo.stack));
    const output = memoryOutput();
    const code = await runCli(['backfill', '--local', '--flow', FLOW_ID, '--no-wait', '--json'], {
      output: () => output,
      cwd: bench.demo.stateDir,
      env: process.env,
      resolveTarget: async () => deployment,
    });
    const enqueueSeconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new BenchCheckFailed(`backfill exited ${code}: ${output.stderr.join(' ')}`);
    const backfill = JSON.parse(output.stdout.join('\n')) as BackfillResult;
    progress(`${backfill.enqueued} enqueued in ${enqueueSeconds.toFixed(1)} s; waiting for the worker`);

    let lastReport = performance.now();
    for (;;) {
      if (copies() >= issues && (await bench.queueLeft()) === 0) break;
      if (performance.now() - lastReport > 30_000) {
        lastReport = performance.now();
        progress(`${copies()} copies after ${((lastReport - started) / 1000).toFixed(0)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const after = { help: statusCounts(bench.help), eng: statusCounts(bench.eng) };
    // Nothing else may follow (echoes, retries): checked after the clock stopped.
    await bench.quiet();
    const finalCopies = copies();
    const checks = await bench.checks();
    if (finalCopies !== issues || checks.deadLettered > 0 || checks.failedRecords > 0) {
      throw new BenchCheckFailed(
        `expected ${issues} copies, found ${finalCopies}; ${checks.deadLettered} dead-lettered, ${checks.failedRecords} failed records`,
      );
    }
    const calls = { help: countsSince(before.help, after.help), eng: countsSince(before.eng, after.eng) };
    const sum = (c: StatusCounts, non2xxOnly = false) =>
      Object.values(c)
        .flatMap((byStatus) => Object.entries(byStatus))
        .filter(([s]) => !non2xxOnly || !s.startsWith('2'))
        .reduce((a, [, n]) => a + n, 0);
    const result: BackfillRun = {
      issues,
      seedSeconds,
      enqueueSeconds,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      calls,
      callsTotal: {
        help: sum(calls.help),
        eng: sum(calls.eng),
        non2xx: sum(calls.help, true) + sum(calls.eng, true),
      },
      memory: {
        rssBeforeMiB: mib(rssBefore),
        rssPeakSampledMiB: mib(rssPeak),
        ...(highWaterMiB() === undefined ? {} : { rssHighWaterMiB: highWaterMiB() }),
        heapUsedPeakMiB: mib(heapPeak),
        samples,
      },
      copies: finalCopies,
      backfill,
      checks,
    };
    await writeFile(out, `${JSON.stringify(result)}\n`);
    progress(`done in ${wallSeconds.toFixed(1)} s`);
  } finally {
    await bench.stop();
  }
}

runBench(main);
