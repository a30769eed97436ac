import { CLIENT_DEFAULTS } from '../../shared/jira/client-options.ts';
import { editIssue, getIssue } from '../../shared/jira/platform/issues.ts';
import { collectGarbage } from '../gc.ts';
import { BenchCheckFailed } from '../latency.ts';
import { median, percentile, type Spread, spread } from '../stats.ts';
import { type CallsPerChange, CallTally, snapshot } from './calls.ts';
import {
  applyChange,
  CHANGE_KINDS,
  type ChangeKind,
  roundSchedule,
  type Slot,
  SOURCE_OF,
} from './changes.ts';
import { changesPerRound, type SyncBenchOptions } from './options.ts';
import type { IssuePair, SiteName, SyncStack } from './stack.ts';
import { ArrivalWatch } from './watch.ts';

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
  };
}

/** Median time of each stage of a pipeline change (ms). */
export interface Stages {
  /** Edit → the source site has the ingest's 2xx (simulator renders and posts, ingest verifies and enqueues). */
  readonly toWebhookAccepted: number;
  /** → the worker's first Jira call is answered (SQS receive, worker, the call). */
  readonly toFirstJiraCall: number;
  /** → its last read is answered (the other reads, the link and its lease in DynamoDB between them). */
  readonly toLastRead: number;
  /** → visible on the other site (the plan and the write; for a status, the last transition). */
  readonly toLanded: number;
}

export interface KindLatency {
  readonly pipeline: Percentiles & { readonly samples: readonly number[] };
  /** The baseline syncs made in the same slots as these changes (same direction). */
  readonly baseline: Percentiles & { readonly samples: readonly number[] };
  readonly ratio: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** Per round: pipeline p50 over baseline p50 of that round's slots. */
  readonly roundP50Ratio: Spread;
  readonly stages: Stages;
}

export interface SequentialResult {
  readonly byKind: Record<ChangeKind, KindLatency>;
  readonly all: KindLatency;
  readonly calls: Record<ChangeKind, CallsPerChange>;
  readonly baselineCalls: CallsPerChange;
  readonly pacing: {
    readonly ratePerSecond: number;
    readonly burst: number;
    readonly tokensBeforeEachChange: number;
    readonly waitedSeconds: number;
  };
}

/** The worker's client paces each connection with a token bucket; this mirrors it from the calls it made. */
class PacingModel {
  private readonly tokens: Record<SiteName, number>;
  private at = performance.now();
  waitedMs = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = { help: burst, eng: burst };
  }

  private refill(): void {
    const now = performance.now();
    for (const site of ['help', 'eng'] as const) {
      this.tokens[site] = Math.min(this.burst, this.tokens[site] + ((now - this.at) / 1000) * this.rate);
    }
    this.at = now;
  }

  /** Counted after the calls were made: a conservative model (the real bucket is never emptier). */
  consume(calls: Record<SiteName, number>): void {
    this.refill();
    for (const site of ['help', 'eng'] as const) this.tokens[site] -= calls[site];
  }

  /** Waits until both connections could make `need` calls without the client holding any back. */
  async ready(need: number): Promise<void> {
    this.refill();
    const lacking = Math.max(need - this.tokens.help, need - this.tokens.eng, 0);
    if (lacking === 0) return;
    const ms = (lacking / this.rate) * 1000;
    const started = performance.now();
    // The idle time is used for a full collection, so neither subject pays for it on its clock.
    collectGarbage();
    const left = ms - (performance.now() - started);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    this.waitedMs += performance.now() - started;
  }
}

const OTHER: Record<SiteName, SiteName> = { help: 'eng', eng: 'help' };
const PERSON: Record<SiteName, string> = { help: 'alice', eng: 'bob' };
/** The most calls one change made on one connection was 6 (a status walk); 2 to spare. */
const TOKENS_BEFORE_EACH_CHANGE = 8;

interface Sample {
  readonly kind: ChangeKind;
  readonly round: number;
  readonly pipelineMs: number;
  readonly baselineMs: number;
  readonly stages: Stages;
}

/**
 * Sequential end-to-end latency: one change at a time, each waited for until visible on the other site
 * and until the pipeline is quiet again, so no change queues behind another. Each slot also runs one
 * baseline sync (Jira client: `getIssue` on the source, `editIssue` of the summary on the target, over
 * the same simulated sites), first or second in alternate slots.
 */
export async function measureSequential(
  stack: SyncStack,
  options: SyncBenchOptions,
  progress: (line: string) => void,
): Promise<SequentialResult> {
  const watch = new ArrivalWatch('immediate');
  const pacing = new PacingModel(CLIENT_DEFAULTS.rate.ratePerSecond, CLIENT_DEFAULTS.rate.burst);
  const tallies = Object.fromEntries(CHANGE_KINDS.map((k) => [k, new CallTally()])) as Record<
    ChangeKind,
    CallTally
  >;
  const baselineTally = new CallTally();
  let baselineSerial = 0;
  // Every call so far was the worker's (creating the linked pairs); counted as if made just now, so the
  // first change waits until the real bucket has surely refilled. A model that starts too full would let
  // the bench run at exactly the pacing rate, every change waiting behind the previous one's calls.
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const setup = stack.requests();
  pacing.consume({ help: sum(setup.help), eng: sum(setup.eng) });

  const pipelineChange = async (slot: Slot, record: boolean) => {
    await pacing.ready(TOKENS_BEFORE_EACH_CHANGE);
    const before = snapshot(stack);
    const trace = stack.trace(SOURCE_OF[slot.kind]);
    const started = performance.now();
    const change = applyChange(stack, slot.kind, slot.pair);
    const landed = await watch.arrival(change.landed, change.what);
    stack.trace(undefined);
    await stack.quiet();
    const after = snapshot(stack);
    const tally = record ? tallies[slot.kind] : new CallTally();
    pacing.consume(tally.add(before, after));
    const accepted = trace?.webhookAcceptedAt ?? Number.NaN;
    const firstCall = trace?.firstCallAt ?? Number.NaN;
    const lastRead = trace?.lastReadAt ?? Number.NaN;
    return {
      ms: landed - started,
      stages: {
        toWebhookAccepted: accepted - started,
        toFirstJiraCall: firstCall - accepted,
        toLastRead: lastRead - firstCall,
        toLanded: landed - lastRead,
      },
    };
  };

  const baselineSync = async (source: SiteName, pair: IssuePair, record: boolean) => {
    const target = OTHER[source];
    const token = `bench baseline ${++baselineSerial}`;
    const to = pair[target];
    const before = snapshot(stack);
    const started = performance.now();
    // The edit itself sends no webhook: nothing but the two calls below may run while this is timed.
    stack.sites[source].quietly(() =>
      stack.sites[source].as(PERSON[source]).edit(pair[source].key, { summary: token }),
    );
    const arrival = watch.arrival(() => to.summary === token, `baseline ${token}`);
    arrival.catch(() => undefined);
    const sync = (async () => {
      const issue = await getIssue(stack.clients[source], pair[source].id);
      const summary = issue.fields.summary;
      if (typeof summary !== 'string') throw new BenchCheckFailed(`baseline read no summary: ${issue.key}`);
      await editIssue(stack.clients[target], to.id, { fields: { summary } });
    })();
    const [landed] = await Promise.all([arrival, sync]);
    // Its own write's webhook reaches the ingest, which drops it (integration account): let that finish too.
    await stack.quiet();
    (record ? baselineTally : new CallTally()).add(before, snapshot(stack));
    return landed - started;
  };

  const baselinePairs = stack.baseline;
  const runSlot = async (slot: Slot, index: number, record: boolean) => {
    const pair = baselinePairs[index % baselinePairs.length] as IssuePair;
    const source = SOURCE_OF[slot.kind];
    if (index % 2 === 0) {
      const p = await pipelineChange(slot, record);
      const b = await baselineSync(source, pair, record);
      return { p, b };
    }
    const b = await baselineSync(source, pair, record);
    const p = await pipelineChange(slot, record);
    return { p, b };
  };

  // Warm-up: every kind once, then summaries, unrecorded.
  const pairAt = (i: number) => stack.linked[i % stack.linked.length] as IssuePair;
  const warmup: Slot[] = CHANGE_KINDS.map((kind, i) => ({
    kind,
    pair: pairAt(kind === 'statusReopen' ? i - 1 : i),
  }));
  for (let i = warmup.length; i < options.warmupChanges; i++) {
    warmup.push({ kind: i % 2 === 0 ? 'summaryHelpToEng' : 'summaryEngToHelp', pair: pairAt(i) });
  }
  const cursor: { next: number; resolved?: IssuePair } = { next: 0 };
  for (const [i, slot] of warmup.entries()) await runSlot(slot, i, false);
  progress(`sync: ${warmup.length} warm-up changes`);

  const samples: Sample[] = [];
  let index = 0;
  for (let round = 0; round < options.rounds; round++) {
    for (const slot of roundSchedule(options, stack.linked, round, cursor)) {
      const { p, b } = await runSlot(slot, index++, true);
      samples.push({ kind: slot.kind, round, pipelineMs: p.ms, baselineMs: b, stages: p.stages });
    }
    progress(`sync: latency round ${round + 1}/${options.rounds} (${changesPerRound(options)} changes)`);
  }
  // A round with an odd number of status changes leaves one pair resolved: reopen it, unmeasured.
  if (cursor.resolved) await pipelineChange({ kind: 'statusReopen', pair: cursor.resolved }, false);

  const summarise = (subset: readonly Sample[]): KindLatency => {
    const pipeline = subset.map((s) => s.pipelineMs);
    const baseline = subset.map((s) => s.baselineMs);
    const p = percentiles(pipeline);
    const b = percentiles(baseline);
    const rounds = [...new Set(subset.map((s) => s.round))];
    const roundRatios = rounds.map((r) => {
      const inRound = subset.filter((s) => s.round === r);
      return median(inRound.map((s) => s.pipelineMs)) / median(inRound.map((s) => s.baselineMs));
    });
    const stage = (key: keyof Stages) => median(subset.map((s) => s.stages[key]).filter(Number.isFinite));
    return {
      pipeline: { ...p, samples: pipeline.map(round2) },
      baseline: { ...b, samples: baseline.map(round2) },
      ratio: { p50: p.p50 / b.p50, p95: p.p95 / b.p95, p99: p.p99 / b.p99 },
      roundP50Ratio: spread(roundRatios),
      stages: {
        toWebhookAccepted: stage('toWebhookAccepted'),
        toFirstJiraCall: stage('toFirstJiraCall'),
        toLastRead: stage('toLastRead'),
        toLanded: stage('toLanded'),
      },
    };
  };

  return {
    byKind: Object.fromEntries(
      CHANGE_KINDS.map((kind) => [kind, summarise(samples.filter((s) => s.kind === kind))]),
    ) as Record<ChangeKind, KindLatency>,
    all: summarise(samples),
    calls: Object.fromEntries(CHANGE_KINDS.map((k) => [k, tallies[k].average()])) as Record<
      ChangeKind,
      CallsPerChange
    >,
    baselineCalls: baselineTally.average(),
    pacing: {
      ratePerSecond: CLIENT_DEFAULTS.rate.ratePerSecond,
      burst: CLIENT_DEFAULTS.rate.burst,
      tokensBeforeEachChange: TOKENS_BEFORE_EACH_CHANGE,
      waitedSeconds: pacing.waitedMs / 1000,
    },
  };
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;
