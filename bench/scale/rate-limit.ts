import { CLIENT_DEFAULTS } from '../../shared/jira/client-options.ts';
import { collectGarbage } from '../gc.ts';
import { BenchCheckFailed } from '../latency.ts';
import { type MachineInfo, machineInfo, runRecord } from '../machine.ts';
import { runBench, UsageError } from '../main.ts';
import { writeResultsPart } from '../results-file.ts';
import { median } from '../stats.ts';
import { ArrivalWatch } from '../sync/watch.ts';
import {
  type BenchDemo,
  countsSince,
  type RunChecks,
  type StatusCounts,
  startBenchDemo,
  statusCounts,
} from './demo.ts';

/**
 * `npm run bench:rate-limit [-- --quick]`: the sync under a Jira burst budget. The target site (ENG,
 * demo-dc) gets `rateLimit.burst {capacity, refillPerSecond}` — a token bucket per endpoint and method, as
 * Jira Cloud applies its burst limit — while editors keep changing the summaries of linked HELP requests,
 * each change needing one write (and two reads) on ENG. Reported: the share of the budget the sync used,
 * and the 429s it received per 1,000 calls.
 *
 * The worker's Jira client paces every connection to 10 calls/s with bursts of 20 by default
 * (`CLIENT_DEFAULTS.rate`, shared/jira/client-options.ts; the demo config sets no `rateLimit`), and learns
 * each endpoint's budget from its burst-limit 429s (shared/jira/endpoint-pacer.ts). The budgets are set
 * around the client's pace: slightly above and below it per endpoint (its literal figures), and slightly
 * above and below its pace divided by the endpoints one change uses (what each endpoint actually receives).
 */

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** One summary sync HELP → ENG calls three ENG endpoints once each: GET issue, GET comment, PUT issue. */
const CHANGE_ENDPOINTS = [
  'GET /rest/api/2/issue/{issueIdOrKey}',
  'GET /rest/api/2/issue/{issueIdOrKey}/comment',
  'PUT /rest/api/2/issue/{issueIdOrKey}',
];
const ENG_ENDPOINTS_PER_CHANGE = CHANGE_ENDPOINTS.length;

interface Burst {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/** Data Center's per-user limit: `fillRate` tokens every `intervalSeconds`, at most `capacity`. */
interface UserLimit {
  readonly capacity: number;
  readonly fillRate: number;
  readonly intervalSeconds: number;
}

interface Scenario {
  readonly name: string;
  readonly label: string;
  readonly burst?: Burst;
  readonly user?: UserLimit;
}

function scenarios(): Scenario[] {
  const { ratePerSecond, burst } = CLIENT_DEFAULTS.rate;
  const perEndpoint = ratePerSecond / ENG_ENDPOINTS_PER_CHANGE;
  const round2 = (v: number) => Math.round(v * 100) / 100;
  // The site's bucket holds two seconds of its rate, as the client's does: Atlassian publishes no capacity.
  const scaled = (factor: number, rate: number, capacity: number): Burst => ({
    capacity: Math.max(1, Math.round(capacity * factor)),
    refillPerSecond: round2(rate * factor),
  });
  return [
    { name: 'none', label: 'no site limit (reference)' },
    {
      name: 'clientAbove',
      label: "client's pace × 1.1 per endpoint",
      burst: scaled(1.1, ratePerSecond, burst),
    },
    {
      name: 'clientBelow',
      label: "client's pace × 0.9 per endpoint",
      burst: scaled(0.9, ratePerSecond, burst),
    },
    {
      name: 'shareAbove',
      label: `client's pace ÷ ${ENG_ENDPOINTS_PER_CHANGE} endpoints × 1.1`,
      burst: scaled(1.1, perEndpoint, 2 * perEndpoint),
    },
    {
      name: 'shareBelow',
      label: `client's pace ÷ ${ENG_ENDPOINTS_PER_CHANGE} endpoints × 0.9`,
      burst: scaled(0.9, perEndpoint, 2 * perEndpoint),
    },
    {
      // Data Center announces this budget on every answer; the client follows it.
      name: 'dcUser',
      label: "Data Center per-user limit, client's pace × 0.9",
      user: {
        capacity: Math.round(burst * 0.9),
        fillRate: Math.round(ratePerSecond * 0.9),
        intervalSeconds: 1,
      },
    },
  ];
}

interface Options {
  readonly mode: 'full' | 'quick';
  /** Linked pairs edited at once, each editor waiting for its change to land before the next. */
  readonly editors: number;
  /** Rounds over the scenarios; the order reverses every other round (ABC CBA …). */
  readonly rounds: number;
  /**
   * One block: the budget is set (the site's buckets start full), the editors run this long, and every
   * ENG answer in that span counts. The span includes the burst each side allows at the start: the budget
   * counts the site's burst capacity, and the client starts with its own full bucket.
   */
  readonly blockMs: number;
  /** Idle before each block, outside any count: the client's bucket refills and learnt pauses expire. */
  readonly restMs: number;
  readonly scenarios: readonly string[];
}

const FULL: Options = {
  mode: 'full',
  editors: 16,
  rounds: 2,
  blockMs: 15_000,
  restMs: 2500,
  scenarios: ['none', 'clientAbove', 'clientBelow', 'shareAbove', 'shareBelow', 'dcUser'],
};
const QUICK: Options = {
  ...FULL,
  mode: 'quick',
  editors: 8,
  rounds: 1,
  blockMs: 5000,
  restMs: 2500,
  scenarios: ['none', 'clientAbove', 'shareBelow', 'dcUser'],
};

function parseOptions(argv: readonly string[]): Options {
  const usage = 'usage: npm run bench:rate-limit [-- --quick] [--block-seconds <n>] [--scenarios <name,…>]';
  let quick = false;
  let blockMs: number | undefined;
  let only: string[] | undefined;
  const known = scenarios().map((s) => s.name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--block-seconds') {
      const seconds = Number(argv[++i]);
      if (!Number.isInteger(seconds) || seconds < 1) {
        throw new UsageError(`--block-seconds needs a whole number of seconds\n${usage}`);
      }
      blockMs = seconds * 1000;
    } else if (arg === '--scenarios') {
      only = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = only.filter((n) => !known.includes(n));
      if (only.length === 0 || unknown.length > 0) {
        throw new UsageError(`--scenarios takes some of ${known.join(', ')}\n${usage}`);
      }
    } else throw new UsageError(`unknown argument ${arg}\n${usage}`);
  }
  const options = quick ? QUICK : FULL;
  return {
    ...options,
    ...(blockMs === undefined ? {} : { blockMs }),
    ...(only === undefined ? {} : { scenarios: only }),
  };
}

interface Pair {
  readonly helpKey: string;
  readonly engId: string;
}

interface Block {
  readonly landed: number;
  readonly latencies: readonly number[];
  /** ENG requests answered in the block, per operation and status. */
  readonly eng: StatusCounts;
  /** Worker records that failed during the block (and its drain) and went back to the queue for a retry. */
  readonly retriedRecords: number;
}

export interface EndpointFigures {
  readonly answered: number;
  readonly limited: number;
  /** Per block, capacity + refillPerSecond × seconds: the most the site could answer on this endpoint. */
  readonly budget?: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly label: string;
  readonly burst?: Burst;
  readonly user?: UserLimit;
  readonly blocks: number;
  readonly seconds: number;
  readonly changesPerSecond: number;
  readonly blockChangesPerSecond: readonly number[];
  readonly latencyP50: number;
  readonly engCalls: number;
  readonly engAnswered: number;
  readonly engLimited: number;
  readonly byEndpoint: Record<string, EndpointFigures>;
  /** Answered calls over the budget of the endpoints the sync called (undefined without a limit). */
  readonly budgetShare?: number;
  /** The same for the endpoint closest to its budget. */
  readonly busiestEndpointShare?: number;
  readonly limitedPer1000: number;
  /** Reconciles that gave up on a call (attempts or wait budget spent) and were retried through the queue. */
  readonly retriedRecords: number;
}

export interface RateLimitBenchResults {
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly settings: Options & {
    readonly clientPacing: { readonly ratePerSecond: number; readonly burst: number };
    readonly workload: string;
    readonly stack: string;
  };
  readonly scenarios: readonly ScenarioResult[];
  readonly checks: RunChecks;
}

async function linkPairs(bench: BenchDemo, count: number): Promise<Pair[]> {
  const watch = new ArrivalWatch('timer');
  const raised = Array.from({ length: count }, (_, i) => {
    const summary = `rate-limit bench pair ${i}`;
    const request = bench.help
      .as('carol')
      .raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary });
    bench.help.as('alice').transition(request.key, 'Escalate');
    return { summary, helpKey: request.key };
  });
  const pairs: Pair[] = [];
  for (const r of raised) {
    const find = () => [...bench.eng.state.issues.values()].find((i) => i.summary === r.summary);
    await watch.arrival(() => find() !== undefined, `the ENG issue of ${r.summary}`, 60_000);
    pairs.push({ helpKey: r.helpKey, engId: (find() as { id: string }).id });
  }
  await bench.quiet();
  return pairs;
}

async function block(
  bench: BenchDemo,
  pairs: readonly Pair[],
  scenario: Scenario,
  options: Options,
  serial: { n: number },
): Promise<Block> {
  await new Promise((resolve) => setTimeout(resolve, options.restMs));
  // Each block in a new worker container (the previous block drained during the rest): what the client
  // learnt of one budget must not pace the next.
  bench.newWorkerContainer();
  const watch = new ArrivalWatch('timer');
  const before = statusCounts(bench.eng);
  const failedBefore = (await bench.checks()).failedRecords;
  bench.eng.faults.set(
    scenario.burst || scenario.user
      ? {
          rateLimit: {
            ...(scenario.burst ? { burst: scenario.burst } : {}),
            ...(scenario.user ? { user: scenario.user } : {}),
          },
        }
      : {},
  );
  const started = performance.now();
  const end = started + options.blockMs;
  let after: StatusCounts | undefined;
  const endTimer = setTimeout(() => {
    after = statusCounts(bench.eng);
  }, options.blockMs);
  const latencies: number[] = [];
  const editor = async (pair: Pair) => {
    const eng = bench.eng.state.issues.get(pair.engId);
    if (!eng) throw new BenchCheckFailed(`no ENG issue ${pair.engId}`);
    while (performance.now() < end) {
      const token = `rate-limit bench change ${++serial.n}`;
      const t0 = performance.now();
      bench.help.as('alice').edit(pair.helpKey, { summary: token });
      const landed = await watch.arrival(() => eng.summary === token, token, 60_000);
      if (landed <= end) latencies.push(landed - t0);
    }
  };
  await Promise.all(pairs.map(editor));
  clearTimeout(endTimer);
  // What the limit held back drains outside the block, still under the same budget.
  await bench.quiet();
  bench.eng.faults.clear();
  collectGarbage();
  if (!after) throw new BenchCheckFailed(`${scenario.name}: the block did not complete`);
  return {
    landed: latencies.length,
    latencies,
    eng: countsSince(before, after),
    retriedRecords: (await bench.checks()).failedRecords - failedBefore,
  };
}

function summarise(scenario: Scenario, blocks: readonly Block[], options: Options): ScenarioResult {
  const seconds = (blocks.length * options.blockMs) / 1000;
  const byEndpoint: Record<string, EndpointFigures> = {};
  for (const b of blocks) {
    for (const [op, byStatus] of Object.entries(b.eng)) {
      const limited = byStatus['429'] ?? 0;
      const answered = Object.entries(byStatus)
        .filter(([s]) => s !== '429')
        .reduce((sum, [, n]) => sum + n, 0);
      const prev = byEndpoint[op] ?? { answered: 0, limited: 0 };
      byEndpoint[op] = { answered: prev.answered + answered, limited: prev.limited + limited };
    }
  }
  let budget = 0;
  let answered = 0;
  let busiest: number | undefined;
  if (scenario.burst) {
    // The share counts the endpoints of the workload: a one-off call (a fresh container reads the field
    // list once) would add a whole budget it could never use.
    for (const [op, f] of Object.entries(byEndpoint).filter(([o]) => CHANGE_ENDPOINTS.includes(o))) {
      // Per block: a full bucket at its start plus the refill over its length.
      const endpointBudget =
        blocks.length * scenario.burst.capacity + scenario.burst.refillPerSecond * seconds;
      byEndpoint[op] = { ...f, budget: endpointBudget };
      budget += endpointBudget;
      answered += f.answered;
      busiest = Math.max(busiest ?? 0, f.answered / endpointBudget);
    }
  }
  if (scenario.user) {
    // One bucket for everything the integration account does: every ENG answer counts.
    const u = scenario.user;
    budget = blocks.length * u.capacity + (u.fillRate / u.intervalSeconds) * seconds;
    answered = Object.values(byEndpoint).reduce((sum, f) => sum + f.answered, 0);
  }
  const engAnswered = Object.values(byEndpoint).reduce((s, f) => s + f.answered, 0);
  const engLimited = Object.values(byEndpoint).reduce((s, f) => s + f.limited, 0);
  const landed = blocks.reduce((s, b) => s + b.landed, 0);
  return {
    name: scenario.name,
    label: scenario.label,
    ...(scenario.burst ? { burst: scenario.burst } : {}),
    ...(scenario.user ? { user: scenario.user } : {}),
    blocks: blocks.length,
    seconds,
    changesPerSecond: landed / seconds,
    blockChangesPerSecond: blocks.map((b) => b.landed / (options.blockMs / 1000)),
    latencyP50: median(blocks.flatMap((b) => b.latencies)),
    engCalls: engAnswered + engLimited,
    engAnswered,
    engLimited,
    byEndpoint,
    ...(scenario.burst ? { budgetShare: answered / budget, busiestEndpointShare: busiest } : {}),
    ...(scenario.user ? { budgetShare: answered / budget } : {}),
    limitedPer1000: (engLimited / Math.max(1, engAnswered + engLimited)) * 1000,
    retriedRecords: blocks.reduce((s, b) => s + b.retriedRecords, 0),
  };
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(0)} %`);

/** `GET /rest/api/2/issue/{issueIdOrKey}/comment` → `GET issue/{id}/comment`. */
const shortOp = (op: string) => op.replace('/rest/api/2/', '').replaceAll('{issueIdOrKey}', '{id}');

export function renderRateLimitReport(r: RateLimitBenchResults): string {
  const reference = r.scenarios.find((s) => s.name === 'none');
  const rows = r.scenarios.map((s) => {
    const budget = s.burst
      ? `${s.burst.refillPerSecond}/s, burst ${s.burst.capacity}`
      : s.user
        ? `${s.user.fillRate} per ${s.user.intervalSeconds} s, max ${s.user.capacity} (per user)`
        : 'none';
    const vs =
      reference && s !== reference ? `${(s.changesPerSecond / reference.changesPerSecond).toFixed(2)}×` : '';
    return `| ${s.label} | ${budget} | ${s.changesPerSecond.toFixed(2)} | ${vs} | ${(s.engAnswered / s.seconds).toFixed(2)} | ${pct(s.budgetShare)} | ${pct(s.busiestEndpointShare)} | ${s.engLimited} | ${s.limitedPer1000.toFixed(1)} | ${s.retriedRecords} | ${s.latencyP50.toFixed(0)} |`;
  });
  const split = r.scenarios.find((s) => s.name === 'none')?.byEndpoint;
  const m = r.machine;
  const s = r.settings;
  const c = r.checks;
  return [
    `### jira-sync rate-limit bench, ${r.date} (${s.mode}, ${r.durationSeconds.toFixed(0)} s)`,
    '',
    '| ENG site budget | refill, burst | changes/s | vs no limit | ENG calls answered/s | share of budget used | busiest endpoint | 429s | 429s per 1,000 calls | records retried | p50 latency (ms) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- Workload: ${s.workload} ${s.editors} editors, ${s.rounds} round(s) over the budgets (order reversing per round), ` +
      `blocks of ${s.blockMs / 1000} s after ${s.restMs / 1000} s idle, each starting as its budget is set; blocks pooled.`,
    `- The worker's client paces ${s.clientPacing.ratePerSecond} calls/s per connection, bursts of ${s.clientPacing.burst} ` +
      '(its defaults; a connection may set others with `rateLimit`), and paces an endpoint on its own once it answers 429 jira-burst-based. ' +
      'Each block runs in a fresh worker container. The burst budgets limit each endpoint and method separately, as Jira Cloud does; the Data Center one limits the integration account as a whole and announces itself on every answer, which the client follows.',
    "- Share of budget used = answers of the three endpoints a change calls / their budget, each (burst capacity + refill × block length) per block: the most the site could have answered, its buckets being full when the block starts. A fresh container's one-off reads (GET field) are left out. Under the Data Center per-user limit, every ENG answer against the one bucket (capacity + fill rate × block length)." +
      (split
        ? ` Calls answered per endpoint without a limit: ${Object.entries(split)
            .map(([op, f]) => `${shortOp(op)} ${f.answered}`)
            .join(', ')}.`
        : ''),
    `- Stack: ${s.stack}.`,
    `- Checks: every change landed; ${c.deadLettered} dead-lettered, ${c.failedRecords} records retried through the queue in ${c.workerBatches} worker batches, ` +
      `${c.contractViolations} contract violations${c.warnings.length > 0 ? `; warnings: ${c.warnings.join(' | ')}` : ''}.`,
    `- Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform} ${m.arch}, Node ${m.node}; ` +
      `load average ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end?.toFixed(2) ?? '?'} at end.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  progress(
    `rate-limit ${options.mode} run on ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}`,
  );
  const chosen = scenarios().filter((s) => options.scenarios.includes(s.name));
  // Long enough that a batch slowed by pacing and 429 waits is never received twice.
  const bench = await startBenchDemo({ visibilityTimeoutSeconds: 120 });
  let results: RateLimitBenchResults;
  try {
    const pairs = await linkPairs(bench, options.editors);
    progress(`rate-limit: ${pairs.length} linked pairs`);
    const blocks = new Map<string, Block[]>(chosen.map((s) => [s.name, []]));
    const serial = { n: 0 };
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? chosen : [...chosen].reverse();
      for (const scenario of order) {
        blocks.get(scenario.name)?.push(await block(bench, pairs, scenario, options, serial));
        progress(`rate-limit: round ${round + 1}/${options.rounds}, ${scenario.name} done`);
      }
    }
    const checks = await bench.checks();
    // Every change landed (an editor waits for each); a record retried through the queue is reported, a
    // dead-lettered one would be a change given up.
    if (checks.deadLettered > 0) {
      throw new BenchCheckFailed(`${checks.deadLettered} records dead-lettered under the limits`);
    }
    results = {
      ...runRecord(started, machine),
      settings: {
        ...options,
        clientPacing: { ...CLIENT_DEFAULTS.rate },
        workload:
          'summary edits of linked HELP requests (demo flow help-to-eng), each landing as one PUT on ENG after GET issue and GET comment there;',
        stack:
          'startDemoStack (local/demo-stack.ts): demo configuration, Jira simulator, real ingest, fauxqs, two SQS pollers with the real worker, dynalite; one process on 127.0.0.1; logging silenced',
      },
      scenarios: chosen.map((s) => summarise(s, blocks.get(s.name) ?? [], options)),
      checks,
    };
  } finally {
    await bench.stop();
  }
  await writeResultsPart('rateLimit', results);
  process.stdout.write(`${renderRateLimitReport(results)}\n`);
  progress('wrote the rateLimit part of bench/results.json');
}

runBench(main);
