import type { Flow } from '../config/flows.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import { JiraRateLimitError } from '../jira/errors.ts';
import { type SearchCursor, searchIssues, searchPage } from '../jira/platform/search.ts';
import { parseJiraTime } from '../sync/jira-dates.ts';
import { sweepJql } from '../sync/sweep.ts';
import type { SyncEvent } from '../webhook/sync-event.ts';
import { CliFailure, CliUsageError, flag, intOption, type ParsedArgs, stringOption } from './args.ts';
import { type Command, TARGET_HELP } from './command.ts';
import type { CliContext } from './context.ts';
import { peekDlq } from './dlq.ts';
import { paint } from './output.ts';
import type { BackfillProgress } from './state.ts';
import type { Deployment } from './target.ts';

/**
 * Backfill: a reconcile for every existing source issue of a flow, through the same queue as webhooks, so
 * issues that existed before jira-sync (or before a flow was added) get their copies. Only the source side
 * is searched: an event for a target issue leads back to its source issue anyway, and the source decides
 * what gets a copy.
 *
 * Resumable: issues are searched in creation order, and after every page the progress item records the
 * `created` time of the last issue sent and the ids sent at exactly that millisecond. A resumed run
 * searches from that instant and skips those ids, so nothing is missed and nothing is sent twice. (Sending
 * one twice would be harmless anyway: reconciles are idempotent.)
 */

export interface BackfillOptions {
  readonly flowId: string;
  /** Further JQL, ANDed with the flow's source scope. */
  readonly jql?: string | undefined;
  /** Forget an unfinished backfill and start over. */
  readonly restart?: boolean;
  /** Wait for the queue to drain, then summarise what the worker did (default true). */
  readonly wait?: boolean;
  /** Give up waiting after this long (default 1 h). */
  readonly waitTimeoutMs?: number;
  /** Hold back while the queue has more than this many messages waiting (default 1000). */
  readonly maxQueued?: number;
  readonly pageSize?: number;
}

export interface BackfillSummary {
  /** Issues the backfill's search matches now. */
  readonly matched: number;
  /** Linked, and the link is new since the backfill started: the worker created the copy. */
  readonly created: number;
  /** Linked already before the backfill started. */
  readonly linked: number;
  /** No copy and no failure: out of the flow's scope when the worker read it. */
  readonly skipped: number;
  /** Dead-lettered. */
  readonly failed: number;
  /** The queue still held messages when waiting stopped. */
  readonly drained: boolean;
}

export interface BackfillResult {
  readonly flowId: string;
  /** Sent by this run. */
  readonly enqueued: number;
  /** Sent by this backfill in all its runs. */
  readonly total: number;
  readonly resumed: boolean;
  readonly complete: boolean;
  readonly interrupted: boolean;
  readonly summary?: BackfillSummary;
}

const ORDER = ' ORDER BY created ASC, key ASC';

/** The flow's source scope (as the sweep builds it, without its ordering), the operator's JQL and the resume point. */
export function backfillJql(flow: Flow, extra: string | undefined, resumeAt: number | undefined): string {
  const scope = sweepJql(flow, 'source', undefined).replace(/\s+ORDER BY\s+.*$/i, '');
  const clauses = [scope];
  if (extra?.trim()) clauses.push(`(${extra.trim()})`);
  // An unquoted number is milliseconds since the epoch in JQL (Atlassian, "JQL date time formats"): exact
  // to the millisecond and free of the user's time zone, unlike "yyyy-MM-dd HH:mm".
  if (resumeAt !== undefined) clauses.push(`created >= ${Math.floor(resumeAt)}`);
  return `${clauses.join(' AND ')}${ORDER}`;
}

function findFlow(config: Config, flowId: string): Flow {
  const flow = config.flows.find((f) => f.id === flowId);
  if (!flow) {
    const known = config.flows.map((f) => f.id).join(', ') || 'none';
    throw new CliUsageError(`no flow "${flowId}" in the configuration (known: ${known})`, 'backfill');
  }
  return flow;
}

export async function runBackfill(ctx: CliContext, options: BackfillOptions): Promise<BackfillResult> {
  const config = await ctx.config();
  const flow = findFlow(config, options.flowId);
  const deployment = await ctx.deployment();
  const state = ctx.state(deployment.stateTable);
  const extra = options.jql?.trim() ?? '';
  const connection = config.connections.find((c) => c.id === flow.source.connection);
  if (!connection) throw new CliFailure(`flow ${flow.id} names unknown connection ${flow.source.connection}`);
  const client = ctx.jira(connection);

  let progress = options.restart ? undefined : await state.getBackfill(flow.id);
  if (options.restart) await state.deleteBackfill(flow.id);
  if (progress?.done) progress = undefined;
  if (progress && progress.jql !== extra) {
    throw new CliFailure(
      `an unfinished backfill of flow ${flow.id} used ${progress.jql ? `--jql '${progress.jql}'` : 'no --jql'}: run it again with the same JQL to resume, or add --restart`,
    );
  }
  const resumed = progress !== undefined;
  const now = ctx.now();
  let current: BackfillProgress = progress ?? {
    flowId: flow.id,
    jql: extra,
    startedAt: now,
    updatedAt: now,
    tieIds: [],
    enqueued: 0,
    done: false,
  };
  if (!resumed) await state.putBackfill(current);
  const p = paint(ctx.out);
  if (resumed) {
    ctx.out.error(`resuming the backfill of ${flow.id}: ${current.enqueued} issues were enqueued before`);
  }

  const jql = backfillJql(flow, extra, current.lastCreated);
  const skip = new Set(current.tieIds);
  const resumeAt = current.lastCreated;
  const maxQueued = options.maxQueued ?? 1000;
  const runStarted = ctx.now();
  let enqueued = 0;
  let cursor: SearchCursor | undefined;
  let interrupted = false;
  const show = () => {
    const seconds = Math.max(1, (ctx.now() - runStarted) / 1000);
    ctx.out.status(
      `backfill ${flow.id}: ${current.enqueued} enqueued (${Math.round(enqueued / seconds)}/s) from ${connection.id} ${flow.source.project}`,
    );
  };

  try {
    for (;;) {
      if (ctx.signal?.aborted) {
        interrupted = true;
        break;
      }
      await holdBack(ctx, deployment, maxQueued, () => interrupted || ctx.signal?.aborted === true);
      let page: Awaited<ReturnType<typeof searchPage>>;
      try {
        page = await searchPage(
          client,
          { jql, fields: ['created'], pageSize: options.pageSize ?? 100 },
          cursor,
        );
      } catch (error) {
        if (error instanceof JiraRateLimitError) {
          // Longer than the client waits by itself: wait here, then ask for the same page again.
          ctx.out.status(
            `backfill ${flow.id}: Jira rate limit, waiting ${Math.ceil(error.retryAfterMs / 1000)} s`,
          );
          await ctx.sleep(error.retryAfterMs);
          continue;
        }
        throw error;
      }
      const fresh = page.issues
        .map((issue) => ({ id: issue.id, created: parseJiraTime(issue.fields.created) }))
        .filter((i) => !(resumeAt !== undefined && i.created === resumeAt && skip.has(i.id)));
      if (fresh.length > 0) {
        const events: SyncEvent[] = fresh.map((i) => ({
          v: 1,
          connectionId: connection.id,
          issue: { id: i.id },
          kind: 'sweep',
          webhookId: `backfill:${flow.id}:${current.startedAt}`,
          retry: 0,
          receivedAt: ctx.now(),
        }));
        await ctx.queue.enqueue(deployment.queueUrl, events);
        enqueued += events.length;
        current = advance(current, fresh, ctx.now());
        await state.putBackfill(current);
        show();
      }
      cursor = page.next;
      if (!cursor) break;
    }
  } catch (error) {
    ctx.out.status(undefined);
    const why = error instanceof AppError || error instanceof Error ? error.message : String(error);
    throw new CliFailure(
      `backfill of ${flow.id} stopped after ${current.enqueued} issues: ${why}; progress is saved: run the same command to resume`,
      { cause: error },
    );
  }
  ctx.out.status(undefined);
  if (interrupted) {
    return {
      flowId: flow.id,
      enqueued,
      total: current.enqueued,
      resumed,
      complete: false,
      interrupted: true,
    };
  }
  current = { ...current, done: true, finishedAt: ctx.now(), updatedAt: ctx.now() };
  await state.putBackfill(current);
  ctx.out.error(p.dim(`backfill ${flow.id}: all ${current.enqueued} issues enqueued`));
  if (options.wait === false) {
    return {
      flowId: flow.id,
      enqueued,
      total: current.enqueued,
      resumed,
      complete: true,
      interrupted: false,
    };
  }
  const drained = await waitForDrain(ctx, deployment, options.waitTimeoutMs ?? 3_600_000);
  const summary = await summarise(ctx, config, flow, deployment, extra, current.startedAt, drained);
  return {
    flowId: flow.id,
    enqueued,
    total: current.enqueued,
    resumed,
    complete: true,
    interrupted: false,
    summary,
  };
}

/** The new resume point after a page: its last `created` instant and the ids sent at that instant. */
export function advance(
  progress: BackfillProgress,
  sent: readonly { readonly id: string; readonly created: number | undefined }[],
  now: number,
): BackfillProgress {
  let lastCreated = progress.lastCreated;
  let tieIds = [...progress.tieIds];
  for (const issue of sent) {
    if (issue.created === undefined) continue;
    if (lastCreated === undefined || issue.created > lastCreated) {
      lastCreated = issue.created;
      tieIds = [issue.id];
    } else if (issue.created === lastCreated) {
      tieIds.push(issue.id);
    }
  }
  return {
    ...progress,
    ...(lastCreated === undefined ? {} : { lastCreated }),
    tieIds: [...new Set(tieIds)],
    enqueued: progress.enqueued + sent.length,
    updatedAt: now,
  };
}

/** Waits while the main queue is fuller than `maxQueued`, so live webhooks are not stuck behind a backfill. */
async function holdBack(
  ctx: CliContext,
  deployment: Deployment,
  maxQueued: number,
  stop: () => boolean,
): Promise<void> {
  for (;;) {
    const depth = await ctx.queue.depth(deployment.queueUrl);
    if (depth.visible <= maxQueued || stop()) return;
    ctx.out.status(
      `backfill: the queue holds ${depth.visible} messages; waiting for it to go under ${maxQueued}`,
    );
    await ctx.sleep(2_000);
  }
}

async function waitForDrain(ctx: CliContext, deployment: Deployment, timeoutMs: number): Promise<boolean> {
  const until = ctx.now() + timeoutMs;
  let emptyPolls = 0;
  while (ctx.now() < until && !ctx.signal?.aborted) {
    const depth = await ctx.queue.depth(deployment.queueUrl);
    const left = depth.visible + depth.inFlight + depth.delayed;
    emptyPolls = left === 0 ? emptyPolls + 1 : 0;
    // Twice empty: SQS counts are approximate and a batch may just have been received.
    if (emptyPolls >= 2) {
      ctx.out.status(undefined);
      return true;
    }
    ctx.out.status(`waiting for the worker: ${left} messages left in the queue`);
    await ctx.sleep(1_000);
  }
  ctx.out.status(undefined);
  return false;
}

async function summarise(
  ctx: CliContext,
  config: Config,
  flow: Flow,
  deployment: Deployment,
  extra: string,
  startedAt: number,
  drained: boolean,
): Promise<BackfillSummary> {
  const connection = config.connections.find((c) => c.id === flow.source.connection);
  if (!connection) throw new CliFailure(`flow ${flow.id} names unknown connection ${flow.source.connection}`);
  const ids: string[] = [];
  for await (const issue of searchIssues(ctx.jira(connection), {
    jql: backfillJql(flow, extra, undefined),
    fields: ['key'],
  })) {
    ids.push(issue.id);
  }
  const links = await ctx.state(deployment.stateTable).links(flow.id, ids);
  const peeked = await peekDlq(ctx.queue, deployment.dlqUrl, config, 10_000);
  await peeked.release();
  const failedIds = new Set(
    peeked.letters
      .map((l) => l.letter)
      .filter((l) => l.connectionId === connection.id && l.issueId !== undefined)
      .map((l) => l.issueId as string),
  );
  let created = 0;
  let linked = 0;
  let skipped = 0;
  let failed = 0;
  for (const id of ids) {
    const link = links.get(id);
    if (link?.targetIssueId) {
      if (link.createdAt >= startedAt) created++;
      else linked++;
    } else if (failedIds.has(id)) {
      failed++;
    } else {
      skipped++;
    }
  }
  return { matched: ids.length, created, linked, skipped, failed, drained };
}

export function renderBackfill(ctx: Pick<CliContext, 'out'>, result: BackfillResult): void {
  const p = paint(ctx.out);
  const earlier = result.total - result.enqueued;
  if (result.interrupted) {
    ctx.out.line(
      `backfill ${result.flowId} interrupted after ${result.total} issues; run the same command to resume`,
    );
    return;
  }
  ctx.out.line(
    `backfill ${result.flowId}: ${result.total} issues enqueued${earlier > 0 ? ` (${earlier} by earlier runs)` : ''}`,
  );
  const s = result.summary;
  if (!s) return;
  const parts = [
    p.green(`${s.created} created`),
    `${s.linked} already linked`,
    `${s.skipped} skipped (out of scope)`,
    s.failed > 0 ? p.red(`${s.failed} failed`) : '0 failed',
  ];
  ctx.out.line(
    `${s.drained ? 'after the queue drained' : p.yellow('the queue did not drain in time; so far')}: ${s.matched} issues match → ${parts.join(', ')}`,
  );
  if (s.failed > 0) ctx.out.line(`see why: jira-sync dlq list --filter flow=${result.flowId}`);
}

export const backfillCommand: Command = {
  words: ['backfill'],
  summary: "enqueue a reconcile for every existing issue of a flow's source project (resumable)",
  usage: '--flow <id> [--jql <jql>] [--restart] [--no-wait] (--local | --stack <name> --region <r>) [--json]',
  optionHelp: [
    ['--flow <id>', 'the flow to backfill'],
    ['--jql <jql>', "only issues that also match this JQL (ANDed with the flow's source project and JQL)"],
    ['--restart', 'forget an unfinished backfill of this flow and start from the first issue'],
    ['--no-wait', 'do not wait for the worker; print only how many issues were enqueued'],
    ['--max-queued <n>', 'pause while the queue holds more than n messages (default 1000)'],
    ['--wait-minutes <n>', 'how long to wait for the queue to drain (default 60)'],
    ...TARGET_HELP,
  ],
  details: [
    "Searches the flow's source project (with the flow's issue types and JQL) in creation order and sends each issue to the queue, as the sweep does. Jira's rate limits are respected (the client paces its calls and waits out 429s). Progress is saved in the state table after every page: after Ctrl-C or a failure, the same command resumes where it stopped; --restart starts over.",
    "When everything is enqueued it waits for the worker to drain the queue and summarises: copies created, issues already linked, issues skipped (out of the flow's scope) and issues that failed (dead-lettered).",
  ],
  options: {
    flow: { type: 'string' },
    jql: { type: 'string' },
    restart: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    'max-queued': { type: 'string' },
    'wait-minutes': { type: 'string' },
  },
  async run(ctx: CliContext, args: ParsedArgs) {
    const flowId = stringOption(args, 'flow');
    if (!flowId) throw new CliUsageError('which flow? --flow <id> is required', 'backfill');
    const result = await runBackfill(ctx, {
      flowId,
      jql: stringOption(args, 'jql'),
      restart: flag(args, 'restart'),
      wait: !flag(args, 'no-wait'),
      maxQueued: intOption(args, 'max-queued', 1000, 'backfill'),
      waitTimeoutMs: intOption(args, 'wait-minutes', 60, 'backfill') * 60_000,
    });
    if (ctx.json) ctx.out.line(JSON.stringify(result, null, 2));
    else renderBackfill(ctx, result);
    if (result.interrupted) return 130;
    return result.summary && result.summary.failed > 0 ? 1 : 0;
  },
};
