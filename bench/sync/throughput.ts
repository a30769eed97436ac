import { editIssue, getIssue } from '../../shared/jira/platform/issues.ts';
import { collectGarbage } from '../gc.ts';
import { BenchCheckFailed } from '../latency.ts';
import { median, pairedRatios, type Spread, spread } from '../stats.ts';
import type { SyncBenchOptions } from './options.ts';
import type { IssuePair, SyncStack } from './stack.ts';
import { ArrivalWatch } from './watch.ts';

export type Subject = 'pipeline' | 'baseline';

export interface ThroughputResult {
  /** Issues edited at once, each by its own editor that waits for its change to land before the next. */
  readonly concurrency: number;
  readonly bySubject: Record<
    Subject,
    {
      /** All measured windows pooled: changes landed / seconds measured. */
      readonly changesPerSecond: number;
      /** Per block (changes land in lumps, a batch at a time: one short window is coarse). */
      readonly blockChangesPerSecond: readonly number[];
      /** Latency of the changes that landed in the windows, pooled (ms). */
      readonly latencyP50: number;
      /** Process CPU (all threads: simulator, ingest, fauxqs, dynalite, worker, client) per change, pooled (ms). */
      readonly cpuMsPerChange: number;
      readonly blockCpuMsPerChange: readonly number[];
    }
  >;
  /** Pipeline over baseline of the pooled figures; `…Rounds` spreads the per-round paired ratios. */
  readonly ratios: {
    readonly throughput: number;
    readonly throughputRounds: Spread;
    readonly cpuPerChange: number;
    readonly cpuPerChangeRounds: Spread;
  };
}

interface Block {
  readonly landed: number;
  readonly seconds: number;
  readonly cpuMs: number;
  readonly latencies: readonly number[];
}

/**
 * `concurrency` issues edited at once (summary, HELP → ENG), in closed loops: each editor changes its
 * issue, waits until the change is visible on ENG, and changes it again. Completions are counted in a
 * window that opens after `throughputWarmupMs`, once the client's token bucket has drained its burst.
 */
async function block(
  stack: SyncStack,
  subject: Subject,
  options: SyncBenchOptions,
  serial: { n: number },
): Promise<Block> {
  const watch = new ArrivalWatch('timer');
  const pairs = subject === 'pipeline' ? stack.linked : stack.baseline;
  const { help } = stack.sites;
  const started = performance.now();
  const windowStart = started + options.throughputWarmupMs;
  const windowEnd = windowStart + options.throughputMeasureMs;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let cpuInWindow: NodeJS.CpuUsage | undefined;
  const startTimer = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
  }, options.throughputWarmupMs);
  const endTimer = setTimeout(() => {
    cpuInWindow = process.cpuUsage(cpuAtStart);
  }, options.throughputWarmupMs + options.throughputMeasureMs);
  const latencies: number[] = [];

  const change = async (pair: IssuePair) => {
    const token = `bench load ${++serial.n}`;
    const t0 = performance.now();
    if (subject === 'pipeline') {
      help.as('alice').edit(pair.help.key, { summary: token });
    } else {
      help.quietly(() => help.as('alice').edit(pair.help.key, { summary: token }));
    }
    const arrival = watch.arrival(() => pair.eng.summary === token, `${subject} ${token}`, 30_000);
    if (subject === 'baseline') {
      arrival.catch(() => undefined);
      const issue = await getIssue(stack.clients.help, pair.help.id);
      const summary = issue.fields.summary;
      if (typeof summary !== 'string') throw new BenchCheckFailed(`baseline read no summary: ${issue.key}`);
      await editIssue(stack.clients.eng, pair.eng.id, { fields: { summary } });
    }
    const landed = await arrival;
    if (landed >= windowStart && landed <= windowEnd) latencies.push(landed - t0);
  };
  const editor = async (pair: IssuePair) => {
    while (performance.now() < windowEnd) await change(pair);
  };
  await Promise.all(pairs.map(editor));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  // The pipeline may still be working off what its pacing held back: outside the window, and the next
  // block starts from a quiet stack.
  await stack.quiet();
  collectGarbage();
  const cpu = cpuInWindow ?? process.cpuUsage(cpuAtStart);
  if (latencies.length === 0) throw new BenchCheckFailed(`${subject}: nothing landed in the window`);
  return {
    landed: latencies.length,
    seconds: options.throughputMeasureMs / 1000,
    cpuMs: (cpu.user + cpu.system) / 1000,
    latencies,
  };
}

/** Pipeline and baseline blocks alternate, and which goes first alternates per round (AB BA …). */
export async function measureThroughput(
  stack: SyncStack,
  options: SyncBenchOptions,
  progress: (line: string) => void,
): Promise<ThroughputResult> {
  const blocks: Record<Subject, Block[]> = { pipeline: [], baseline: [] };
  const serial = { n: 0 };
  for (let round = 0; round < options.throughputRounds; round++) {
    const order: Subject[] = round % 2 === 0 ? ['pipeline', 'baseline'] : ['baseline', 'pipeline'];
    for (const subject of order) blocks[subject].push(await block(stack, subject, options, serial));
    progress(`sync: throughput round ${round + 1}/${options.throughputRounds}`);
  }
  const rate = (b: Block) => b.landed / b.seconds;
  const cpuPerChange = (b: Block) => b.cpuMs / b.landed;
  const sum = (list: readonly Block[], f: (b: Block) => number) => list.reduce((a, b) => a + f(b), 0);
  const of = (subject: Subject) => {
    const list = blocks[subject];
    return {
      changesPerSecond: sum(list, (b) => b.landed) / sum(list, (b) => b.seconds),
      blockChangesPerSecond: list.map(rate),
      latencyP50: median(list.flatMap((b) => b.latencies)),
      cpuMsPerChange: sum(list, (b) => b.cpuMs) / sum(list, (b) => b.landed),
      blockCpuMsPerChange: list.map(cpuPerChange),
    };
  };
  const pipeline = of('pipeline');
  const baseline = of('baseline');
  return {
    concurrency: stack.linked.length,
    bySubject: { pipeline, baseline },
    ratios: {
      throughput: pipeline.changesPerSecond / baseline.changesPerSecond,
      throughputRounds: spread(pairedRatios(blocks.pipeline.map(rate), blocks.baseline.map(rate))),
      cpuPerChange: pipeline.cpuMsPerChange / baseline.cpuMsPerChange,
      cpuPerChangeRounds: spread(
        pairedRatios(blocks.pipeline.map(cpuPerChange), blocks.baseline.map(cpuPerChange)),
      ),
    },
  };
}
