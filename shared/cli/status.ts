import type { Config } from '../config/schema.ts';
import { type Command, TARGET_HELP } from './command.ts';
import type { CliContext } from './context.ts';
import { peekDlq } from './dlq.ts';
import { formatAge, type Paint, paint } from './output.ts';
import type { QueueDepth } from './queue.ts';
import { METRIC_WINDOW_MS, type OldestMessage, readOldestMessage } from './queue-age.ts';
import type { BackfillProgress, ConflictEntry } from './state.ts';

export interface FlowStatus {
  readonly flowId: string;
  readonly sweptAt: number | undefined;
  readonly conflicts: { readonly last24h: number; readonly recent: readonly ConflictEntry[] };
  /** Dead-lettered events of the flow's connections, by error code. */
  readonly deadLetters: Readonly<Record<string, number>>;
  readonly backfill: BackfillProgress | undefined;
}

export interface StatusReport {
  readonly deployment: { readonly kind: string; readonly name: string; readonly region: string };
  readonly queue: QueueDepth & { readonly oldestMessage: OldestMessage };
  readonly deadLetterQueue: {
    readonly total: number;
    readonly oldestFailedAt: string | undefined;
    readonly byCode: Readonly<Record<string, number>>;
  };
  readonly flows: readonly FlowStatus[];
}

const DAY_MS = 24 * 3_600_000;

export async function collectStatus(ctx: CliContext, config: Config | undefined): Promise<StatusReport> {
  const deployment = await ctx.deployment();
  const state = ctx.state(deployment.stateTable);
  const [queue, dlqDepth, oldestMessage] = await Promise.all([
    ctx.queue.depth(deployment.queueUrl),
    ctx.queue.depth(deployment.dlqUrl),
    readOldestMessage(ctx.queueAge, deployment),
  ]);
  const peeked = await peekDlq(ctx.queue, deployment.dlqUrl, config, 500);
  await peeked.release();
  const letters = peeked.letters.map((l) => l.letter);
  const byCode: Record<string, number> = {};
  for (const l of letters) byCode[l.errorCode] = (byCode[l.errorCode] ?? 0) + 1;
  const oldest = letters
    .map((l) => l.failedAt)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const now = ctx.now();
  const flows = await Promise.all(
    (config?.flows ?? []).map(async (flow): Promise<FlowStatus> => {
      const [sweptAt, conflicts, backfill] = await Promise.all([
        state.sweepMark(flow.id),
        state.conflicts(flow.id, now - DAY_MS, 3),
        state.getBackfill(flow.id),
      ]);
      const deadLetters: Record<string, number> = {};
      for (const l of letters.filter((x) => x.flows.includes(flow.id))) {
        deadLetters[l.errorCode] = (deadLetters[l.errorCode] ?? 0) + 1;
      }
      return {
        flowId: flow.id,
        sweptAt,
        conflicts: { last24h: conflicts.count, recent: conflicts.recent },
        deadLetters,
        backfill,
      };
    }),
  );
  return {
    deployment: { kind: deployment.kind, name: deployment.name, region: deployment.region },
    queue: { ...queue, oldestMessage },
    deadLetterQueue: {
      total: Math.max(dlqDepth.visible + dlqDepth.inFlight, letters.length),
      oldestFailedAt: oldest,
      byCode,
    },
    flows,
  };
}

export function renderStatus(ctx: Pick<CliContext, 'out' | 'now'>, report: StatusReport): void {
  const p = paint(ctx.out);
  const now = ctx.now();
  const ago = (ms: number) => `${formatAge(now - ms)} ago`;
  const d = report.deployment;
  ctx.out.line(p.bold(`Deployment ${d.name} (${d.kind}, ${d.region})`));
  const q = report.queue;
  ctx.out.line(
    `  queue         ${q.visible} waiting, ${q.inFlight} in flight, ${q.delayed} delayed, ${oldestText(q.oldestMessage, p, ago)}`,
  );
  const dlq = report.deadLetterQueue;
  const codes = Object.entries(dlq.byCode)
    .map(([c, n]) => `${n} ${c}`)
    .join(', ');
  ctx.out.line(
    `  dead letters  ${dlq.total === 0 ? p.green('0') : p.red(String(dlq.total))}` +
      (dlq.oldestFailedAt ? `, oldest failed ${ago(Date.parse(dlq.oldestFailedAt))}` : '') +
      (codes ? `: ${codes}` : ''),
  );
  if (report.flows.length === 0) return;
  ctx.out.line(p.bold('Flows'));
  for (const flow of report.flows) {
    ctx.out.line(`  ${p.bold(flow.flowId)}`);
    ctx.out.line(`    swept         ${flow.sweptAt === undefined ? 'never' : ago(flow.sweptAt)}`);
    const latest = flow.conflicts.recent[0];
    ctx.out.line(
      `    conflicts     ${flow.conflicts.last24h} in 24 h` +
        (latest
          ? ` (latest ${ago(latest.at)}: ${latest.field} on ${latest.sourceIssueId} ⇄ ${latest.targetIssueId}, ${latest.winner} won by ${latest.policy})`
          : ''),
    );
    const failures = Object.entries(flow.deadLetters);
    ctx.out.line(
      `    failures      ${failures.length === 0 ? '0 dead-lettered' : failures.map(([c, n]) => `${n} ${c}`).join(', ')}`,
    );
    const b = flow.backfill;
    if (b) {
      ctx.out.line(
        `    backfill      ${b.enqueued} enqueued, ${b.done ? `finished ${ago(b.finishedAt ?? b.updatedAt)}` : `unfinished (last progress ${ago(b.updatedAt)}): run backfill again to resume`}`,
      );
    }
  }
}

function oldestText(oldest: OldestMessage, p: Paint, ago: (ms: number) => string): string {
  if ('unavailable' in oldest) return p.dim(`oldest: unknown (${oldest.unavailable})`);
  if (oldest.ageSeconds === null) {
    return oldest.reason === 'empty'
      ? 'oldest: none (no messages)'
      : p.dim(
          `oldest: no CloudWatch datapoint in the last ${METRIC_WINDOW_MS / 60_000} min (queue idle, or the metric not published yet)`,
        );
  }
  const age = `oldest ${formatAge(oldest.ageSeconds * 1000)}`;
  if (oldest.source !== 'cloudwatch') return age;
  return `${age}${p.dim(` (CloudWatch${oldest.asOf ? `, as of ${ago(Date.parse(oldest.asOf))}` : ''})`)}`;
}

export const statusCommand: Command = {
  words: ['status'],
  summary:
    'queue depth and oldest message age, dead letters, and per flow: last sweep, conflicts, failures, backfill',
  usage: '(--local | --stack <name> --region <r>) [--json]',
  optionHelp: TARGET_HELP,
  details: [
    'Reads the queues and the state table; changes nothing. Dead-lettered messages are attributed to the flows their connection takes part in. Conflicts are those the engine settled in the last 24 hours (kept 30 days in the state table).',
    'Oldest message age of the main queue (in flight and delayed messages included): on a deployed stack the newest datapoint of the CloudWatch metric ApproximateAgeOfOldestMessage in the last 15 minutes (needs cloudwatch:GetMetricData; it lags by a few minutes); on the local stack read from fauxqs without receiving. When it cannot be read, status says why and shows the rest.',
  ],
  options: {},
  async run(ctx) {
    await ctx.deployment();
    let config: Config | undefined;
    try {
      config = await ctx.config();
    } catch (error) {
      ctx.out.error(`warning: flows not shown: ${error instanceof Error ? error.message : String(error)}`);
      config = undefined;
    }
    const report = await collectStatus(ctx, config);
    if (ctx.json) ctx.out.line(JSON.stringify(report, null, 2));
    else renderStatus(ctx, report);
    return 0;
  },
};
