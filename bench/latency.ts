import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { IngestHandler } from '../local/handler-types.ts';
import { createLambdaContext } from '../local/lambda-context.ts';
import { collectGarbage } from './gc.ts';
import type { BenchStack } from './local-stack.ts';
import type { BenchOptions } from './options.ts';
import { type Distribution, distribution, pairedRatios, percentile, type Spread, spread } from './stats.ts';
import type { WebhookEventFactory } from './webhook-event.ts';

export type SubjectName = 'ingest' | 'baseline';

export interface Subject {
  readonly name: SubjectName;
  readonly handler: IngestHandler;
}

export interface LatencyResult {
  readonly sequential: Record<SubjectName, Distribution & { readonly roundP50: readonly number[] }>;
  readonly throughput: Record<
    SubjectName,
    {
      readonly eventsPerSecond: readonly number[];
      readonly rate: Spread;
      readonly cpuMicrosPerEvent: readonly number[];
      readonly cpu: Spread;
    }
  >;
  readonly concurrency: number;
  readonly ratios: {
    /** Ingest over baseline of the pooled percentile; `p50Rounds` spreads the per-round paired ratios. */
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p50Rounds: Spread;
    /**
     * Throughput and CPU ratios are medians of the per-round paired ratios: pairs run back to back, so
     * a burst of load from other processes mostly cancels within a pair.
     */
    readonly throughput: number;
    readonly throughputRounds: Spread;
    readonly cpuPerEvent: number;
    readonly cpuPerEventRounds: Spread;
  };
}

export class BenchCheckFailed extends Error {}

interface Call {
  readonly event: APIGatewayProxyEventV2;
  readonly context: Context;
}

function prepare(factory: WebhookEventFactory): Call {
  return {
    event: factory.next(),
    context: createLambdaContext({
      functionName: 'jira-sync-webhook-ingest',
      timeoutMs: 10_000,
      region: 'us-east-1',
      accountId: '000000000000',
    }),
  };
}

/** A fast wrong answer (401, 503) would look like a speed-up, so every response is checked. */
function check(subject: Subject, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'object' && result.statusCode === 202 && result.body?.includes('"accepted":1'))
    return;
  throw new BenchCheckFailed(`${subject.name} answered ${JSON.stringify(result)} instead of 202 accepted`);
}

async function sequentialBlock(subject: Subject, factory: WebhookEventFactory, calls: number) {
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const { event, context } = prepare(factory);
    const started = performance.now();
    const result = await subject.handler(event, context);
    samples.push(performance.now() - started);
    check(subject, result);
  }
  return samples;
}

interface ThroughputSample {
  readonly eventsPerSecond: number;
  /**
   * Process CPU time (all threads: handler, fauxqs, GC, JIT) per event. Unlike wall-clock rate it barely
   * moves when other processes take the cores, so it is the steadier of the two on a shared machine.
   */
  readonly cpuMicrosPerEvent: number;
}

async function throughputBlock(
  subject: Subject,
  factory: WebhookEventFactory,
  total: number,
  concurrency: number,
): Promise<ThroughputSample> {
  // Events are built up front so the clock covers handler work only.
  const calls = Array.from({ length: total }, () => prepare(factory));
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const call = calls[next++] as Call;
      check(subject, await subject.handler(call.event, call.context));
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { eventsPerSecond: total / seconds, cpuMicrosPerEvent: (cpu.user + cpu.system) / total };
}

/** Every timed call must have put exactly one message on the queue; then the queue is emptied. */
async function settle(stack: BenchStack, subject: Subject, expected: number): Promise<void> {
  const depth = await stack.depth();
  if (depth !== expected) {
    throw new BenchCheckFailed(`${subject.name}: queue holds ${depth} messages, expected ${expected}`);
  }
  await stack.purge();
  collectGarbage();
}

/**
 * Warm latency (sequential calls) and throughput (`concurrency` calls in flight) of both handlers against
 * the same fauxqs. Blocks are interleaved and the first subject alternates per round, so drift in machine
 * load (other engineers' test runs) falls on both subjects alike.
 */
export async function measureLatency(
  subjects: Record<SubjectName, Subject>,
  factory: WebhookEventFactory,
  stack: BenchStack,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<LatencyResult> {
  for (const subject of [subjects.baseline, subjects.ingest]) {
    await sequentialBlock(subject, factory, options.warmupCalls);
    await throughputBlock(subject, factory, options.warmupCalls, options.concurrency);
    await settle(stack, subject, options.warmupCalls * 2);
  }

  const samples: Record<SubjectName, number[]> = { ingest: [], baseline: [] };
  const roundP50: Record<SubjectName, number[]> = { ingest: [], baseline: [] };
  const eventsPerSecond: Record<SubjectName, number[]> = { ingest: [], baseline: [] };
  const cpuPerEvent: Record<SubjectName, number[]> = { ingest: [], baseline: [] };
  const orderOf = (round: number): Subject[] =>
    round % 2 === 0 ? [subjects.baseline, subjects.ingest] : [subjects.ingest, subjects.baseline];

  for (let round = 0; round < options.rounds; round++) {
    for (const subject of orderOf(round)) {
      const block = await sequentialBlock(subject, factory, options.sequentialCalls);
      await settle(stack, subject, options.sequentialCalls);
      samples[subject.name].push(...block);
      roundP50[subject.name].push(percentile(block, 50));
    }
    if ((round + 1) % 10 === 0 || round + 1 === options.rounds) {
      progress(`latency round ${round + 1}/${options.rounds}`);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const subject of orderOf(round)) {
      const block = await throughputBlock(subject, factory, options.throughputEvents, options.concurrency);
      await settle(stack, subject, options.throughputEvents);
      eventsPerSecond[subject.name].push(block.eventsPerSecond);
      cpuPerEvent[subject.name].push(block.cpuMicrosPerEvent);
    }
    if ((round + 1) % 10 === 0 || round + 1 === options.rounds) {
      progress(`throughput round ${round + 1}/${options.rounds}`);
    }
  }

  const sequential = {
    ingest: { ...distribution(samples.ingest), roundP50: roundP50.ingest },
    baseline: { ...distribution(samples.baseline), roundP50: roundP50.baseline },
  };
  const throughputOf = (name: SubjectName) => ({
    eventsPerSecond: eventsPerSecond[name],
    rate: spread(eventsPerSecond[name]),
    cpuMicrosPerEvent: cpuPerEvent[name],
    cpu: spread(cpuPerEvent[name]),
  });
  const throughputRounds = spread(pairedRatios(eventsPerSecond.ingest, eventsPerSecond.baseline));
  const cpuPerEventRounds = spread(pairedRatios(cpuPerEvent.ingest, cpuPerEvent.baseline));
  return {
    sequential,
    throughput: { ingest: throughputOf('ingest'), baseline: throughputOf('baseline') },
    concurrency: options.concurrency,
    ratios: {
      p50: sequential.ingest.p50 / sequential.baseline.p50,
      p90: sequential.ingest.p90 / sequential.baseline.p90,
      p99: sequential.ingest.p99 / sequential.baseline.p99,
      p50Rounds: spread(pairedRatios(roundP50.ingest, roundP50.baseline)),
      throughput: throughputRounds.median,
      throughputRounds,
      cpuPerEvent: cpuPerEventRounds.median,
      cpuPerEventRounds,
    },
  };
}
