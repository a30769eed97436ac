import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { syncEventSchema } from '../webhook/sync-event.ts';
import { CliUsageError, flag, intOption, listOption } from './args.ts';
import { type Command, TARGET_HELP } from './command.ts';
import type { CliContext } from './context.ts';
import { formatAge, paint } from './output.ts';
import type { QueueMessage, QueuePort } from './queue.ts';

/** A dead-lettered message, read: what failed, why, and for which issue. */
export interface DeadLetter {
  /** The DLQ message id (what `dlq show` takes). */
  readonly id: string;
  /** The id the message had on the main queue. */
  readonly originalMessageId: string | undefined;
  readonly groupId: string | undefined;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly retryable: boolean | undefined;
  readonly failedAt: string | undefined;
  /** How often the worker received it before giving up. */
  readonly receiveCount: number | undefined;
  readonly connectionId: string | undefined;
  readonly issueId: string | undefined;
  readonly issueKey: string | undefined;
  readonly kind: string | undefined;
  /** Flows the event concerns (the flows its connection takes part in). */
  readonly flows: readonly string[];
  readonly body: string;
}

export function readDeadLetter(message: QueueMessage, config: Pick<Config, 'flows'> | undefined): DeadLetter {
  let event: ReturnType<typeof syncEventSchema.safeParse>['data'];
  try {
    const parsed = syncEventSchema.safeParse(JSON.parse(message.body));
    event = parsed.success ? parsed.data : undefined;
  } catch {
    event = undefined;
  }
  const a = message.attributes;
  const connectionId = event?.connectionId;
  const failedAt = a.failedAt ?? (message.sentAt ? new Date(message.sentAt).toISOString() : undefined);
  return {
    id: message.messageId,
    originalMessageId: a.originalMessageId,
    groupId: message.groupId,
    errorCode: a.errorCode ?? (event ? 'UNKNOWN' : 'NOT_A_SYNC_EVENT'),
    errorMessage: a.errorMessage ?? '(no reason recorded: moved by the queue after too many receives)',
    retryable: a.retryable === undefined ? undefined : a.retryable === 'true',
    failedAt,
    receiveCount: a.receiveCount === undefined ? undefined : Number(a.receiveCount),
    connectionId,
    issueId: event?.issue.id,
    issueKey: event?.issue.key,
    kind: event?.kind,
    flows: connectionId
      ? (config?.flows ?? [])
          .filter((f) => f.source.connection === connectionId || f.target.connection === connectionId)
          .map((f) => f.id)
      : [],
    body: message.body,
  };
}

export interface DlqFilter {
  readonly code?: string;
  readonly flow?: string;
  readonly issue?: string;
  readonly connection?: string;
}

/** `--filter code=JIRA_FORBIDDEN --filter flow=help-to-eng` (several filters must all match). */
export function parseFilters(values: readonly string[], command: string): DlqFilter {
  const filter: Record<string, string> = {};
  for (const value of values) {
    const match = /^(code|flow|issue|connection)=(.+)$/.exec(value.trim());
    if (!match) {
      throw new CliUsageError(
        `--filter takes code=<error code>, flow=<flow id>, issue=<id or key> or connection=<id>, got "${value}"`,
        command,
      );
    }
    filter[match[1] as string] = match[2] as string;
  }
  return filter;
}

export function matches(letter: DeadLetter, filter: DlqFilter): boolean {
  if (filter.code && letter.errorCode.toLowerCase() !== filter.code.toLowerCase()) return false;
  if (filter.flow && !letter.flows.includes(filter.flow)) return false;
  if (filter.connection && letter.connectionId !== filter.connection) return false;
  if (filter.issue) {
    const wanted = filter.issue.toLowerCase();
    const ids = [letter.issueId, letter.issueKey?.toLowerCase(), `${letter.connectionId}:${letter.issueId}`];
    if (!ids.includes(wanted)) return false;
  }
  return true;
}

/** How long the CLI hides the DLQ messages it looks at (released again when it is done). */
const PEEK_VISIBILITY_SECONDS = 60;

export interface Peeked {
  readonly letters: readonly { readonly letter: DeadLetter; readonly message: QueueMessage }[];
  /** Puts every message it did not delete back (visible at once). */
  release(): Promise<void>;
}

/**
 * Reads the DLQ without consuming it: receives until nothing new comes back (or `limit`), then the caller
 * releases what it did not delete. FIFO queues hand out one issue's messages in order, so messages behind
 * one that is held show up on the next run.
 */
export async function peekDlq(
  queue: QueuePort,
  dlqUrl: string,
  config: Pick<Config, 'flows'> | undefined,
  limit: number,
): Promise<Peeked> {
  const seen = new Map<string, { letter: DeadLetter; message: QueueMessage }>();
  let idle = 0;
  while (seen.size < limit && idle < 2) {
    const batch = await queue.receive(dlqUrl, Math.min(10, limit - seen.size), PEEK_VISIBILITY_SECONDS);
    const fresh = batch.filter((m) => !seen.has(m.messageId));
    // A message seen again (its visibility ran out) has a new receipt handle: only the newest one works.
    for (const message of batch)
      seen.set(message.messageId, { letter: readDeadLetter(message, config), message });
    idle = fresh.length === 0 ? idle + 1 : 0;
  }
  const released = new Set<string>();
  return {
    letters: [...seen.values()],
    async release() {
      for (const { message } of seen.values()) {
        if (released.has(message.messageId)) continue;
        released.add(message.messageId);
        await queue.release(dlqUrl, message.receiptHandle).catch(() => undefined);
      }
    },
  };
}

async function configOrUndefined(ctx: CliContext): Promise<Config | undefined> {
  await ctx.deployment();
  try {
    return await ctx.config();
  } catch {
    // Listing the DLQ must work even without the config file; flows are then unknown.
    return undefined;
  }
}

function describe(ctx: CliContext, letter: DeadLetter): string {
  const p = paint(ctx.out);
  const issue = letter.issueKey ?? letter.issueId ?? '?';
  const age = letter.failedAt ? `${formatAge(ctx.now() - Date.parse(letter.failedAt))} ago` : 'unknown time';
  return `${p.bold(letter.id)}  ${p.red(letter.errorCode)}  ${letter.connectionId ?? '?'}:${issue}  ${p.dim(age)}\n    ${letter.errorMessage}`;
}

const FILTER_HELP: readonly [string, string] = [
  '--filter <k=v>',
  'code=<error code> | flow=<flow id> | issue=<id or key> | connection=<id>; repeat to narrow',
];

export const dlqListCommand: Command = {
  words: ['dlq', 'list'],
  summary: 'show what is stuck in the dead-letter queue and why',
  usage: '[--filter <k=v>]... [--limit <n>] (--local | --stack <name> --region <r>) [--json]',
  optionHelp: [FILTER_HELP, ['--limit <n>', 'read at most n messages (default 100)'], ...TARGET_HELP],
  details: [
    'Each message shows its DLQ id (for dlq show), the error code and message the worker recorded, the connection and issue, and when it failed. Messages are only looked at, never removed.',
  ],
  options: { filter: { type: 'string', multiple: true }, limit: { type: 'string' } },
  async run(ctx, args) {
    const filter = parseFilters(listOption(args, 'filter'), 'dlq list');
    const limit = intOption(args, 'limit', 100, 'dlq list');
    const deployment = await ctx.deployment();
    const config = await configOrUndefined(ctx);
    const depth = await ctx.queue.depth(deployment.dlqUrl);
    const peeked = await peekDlq(ctx.queue, deployment.dlqUrl, config, limit);
    await peeked.release();
    const letters = peeked.letters.map((l) => l.letter).filter((l) => matches(l, filter));
    if (ctx.json) {
      ctx.out.line(
        JSON.stringify(
          {
            approximateTotal: depth.visible + depth.inFlight,
            shown: letters.length,
            messages: letters.map(withoutBody),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const total = depth.visible + depth.inFlight;
    if (letters.length === 0) {
      ctx.out.line(
        total === 0
          ? 'The dead-letter queue is empty.'
          : `No dead-lettered message matches (about ${total} in the queue).`,
      );
      return 0;
    }
    const byCode = new Map<string, number>();
    for (const l of letters) byCode.set(l.errorCode, (byCode.get(l.errorCode) ?? 0) + 1);
    ctx.out.line(
      `${letters.length} dead-lettered message${letters.length === 1 ? '' : 's'}${letters.length < total ? ` (of about ${total})` : ''}: ${[...byCode].map(([c, n]) => `${n} ${c}`).join(', ')}`,
    );
    for (const letter of letters) ctx.out.line(describe(ctx, letter));
    ctx.out.line();
    ctx.out.line('After fixing the cause: jira-sync dlq redrive [--filter …] [--dry-run]');
    return 0;
  },
};

function withoutBody(letter: DeadLetter): Omit<DeadLetter, 'body'> {
  const { body: _body, ...rest } = letter;
  return rest;
}

export const dlqShowCommand: Command = {
  words: ['dlq', 'show'],
  summary: 'show one dead-lettered message in full',
  usage: '<id> (--local | --stack <name> --region <r>) [--json]',
  optionHelp: [['<id>', 'the DLQ message id from dlq list (or the original message id)'], ...TARGET_HELP],
  options: {},
  positionals: 1,
  async run(ctx, args) {
    const id = args.positionals[0];
    if (!id) throw new CliUsageError('which message? give its id from jira-sync dlq list', 'dlq show');
    const deployment = await ctx.deployment();
    const config = await configOrUndefined(ctx);
    const peeked = await peekDlq(ctx.queue, deployment.dlqUrl, config, 10_000);
    await peeked.release();
    const found = peeked.letters.find((l) => l.letter.id === id || l.letter.originalMessageId === id)?.letter;
    if (!found) {
      ctx.out.error(
        `jira-sync dlq show: no dead-lettered message ${id} (redriven already, or queued behind an earlier message of the same issue)`,
      );
      return 1;
    }
    if (ctx.json) {
      ctx.out.line(JSON.stringify(found, null, 2));
      return 0;
    }
    const p = paint(ctx.out);
    const rows: [string, string | undefined][] = [
      ['message id', found.id],
      ['original id', found.originalMessageId],
      ['error code', found.errorCode],
      ['error', found.errorMessage],
      ['retryable', found.retryable === undefined ? undefined : String(found.retryable)],
      ['failed at', found.failedAt],
      ['receives', found.receiveCount === undefined ? undefined : String(found.receiveCount)],
      ['connection', found.connectionId],
      ['issue', [found.issueKey, found.issueId].filter(Boolean).join(' / ') || undefined],
      ['event', found.kind],
      ['flows', found.flows.join(', ') || undefined],
      ['group', found.groupId],
    ];
    for (const [name, value] of rows)
      if (value !== undefined) ctx.out.line(`${p.dim(name.padEnd(12))} ${value}`);
    ctx.out.line(`${p.dim('body'.padEnd(12))} ${found.body}`);
    return 0;
  },
};

export interface RedriveResult {
  readonly redriven: readonly DeadLetter[];
  /** Messages looked at that did not match the filter (left in the DLQ). */
  readonly skipped: number;
  readonly dryRun: boolean;
}

/**
 * Moves matching messages back to the main queue: the same body and FIFO group (so the issue's events
 * stay ordered), a fresh deduplication id (the original one would be swallowed as a duplicate within SQS's
 * 5-minute window), then deletes them from the DLQ. A crash between the two leaves a copy in both, which
 * is harmless: reconciles are idempotent.
 *
 * Works message by message: in a FIFO queue an issue's next message is only handed out once the one
 * before it is gone, so deleting as it goes reaches every message of the issues that match. Messages that
 * do not match (and all of them on a dry run) are held until the end, then released.
 */
export async function redrive(
  ctx: Pick<CliContext, 'queue' | 'now'>,
  urls: { readonly queueUrl: string; readonly dlqUrl: string },
  config: Pick<Config, 'flows'> | undefined,
  filter: DlqFilter,
  options: { readonly dryRun: boolean; readonly limit: number },
): Promise<RedriveResult> {
  const redriven: DeadLetter[] = [];
  const held = new Map<string, QueueMessage>();
  const seen = new Set<string>();
  let skipped = 0;
  let idle = 0;
  try {
    while (redriven.length < options.limit && idle < 2) {
      const batch = await ctx.queue.receive(urls.dlqUrl, 10, PEEK_VISIBILITY_SECONDS);
      const fresh = batch.filter((m) => !seen.has(m.messageId));
      for (const m of batch) if (held.has(m.messageId)) held.set(m.messageId, m);
      idle = fresh.length === 0 ? idle + 1 : 0;
      for (const message of fresh) {
        seen.add(message.messageId);
        const letter = readDeadLetter(message, config);
        if (!matches(letter, filter) || redriven.length >= options.limit) {
          skipped++;
          held.set(message.messageId, message);
          continue;
        }
        if (options.dryRun) {
          held.set(message.messageId, message);
        } else {
          const groupId =
            message.groupId ?? `${letter.connectionId ?? 'unknown'}:${letter.issueId ?? letter.id}`;
          await ctx.queue.send(urls.queueUrl, {
            body: message.body,
            groupId,
            deduplicationId: createHash('sha256')
              .update(`redrive\n${message.messageId}\n${ctx.now()}`)
              .digest('hex'),
            attributes: {
              ...(letter.connectionId ? { connectionId: letter.connectionId } : {}),
              redrivenFrom: message.messageId,
            },
          });
          await ctx.queue.delete(urls.dlqUrl, message.receiptHandle);
        }
        redriven.push(letter);
      }
    }
  } finally {
    for (const message of held.values()) {
      await ctx.queue.release(urls.dlqUrl, message.receiptHandle).catch(() => undefined);
    }
  }
  return { redriven, skipped, dryRun: options.dryRun };
}

export const dlqRedriveCommand: Command = {
  words: ['dlq', 'redrive'],
  summary: 'send dead-lettered messages back to the queue after a fix',
  usage: '[--filter <k=v>]... [--dry-run] [--limit <n>] (--local | --stack <name> --region <r>) [--json]',
  optionHelp: [
    FILTER_HELP,
    ['--dry-run', 'show what would be redriven; change nothing'],
    ['--limit <n>', 'redrive at most n messages (default 1000)'],
    ...TARGET_HELP,
  ],
  details: [
    'Each matching message goes back to the main FIFO queue with its original body and group (per issue) and a fresh deduplication id, then leaves the DLQ. The worker reconciles the issue again: if the cause is fixed it heals, otherwise it is dead-lettered again with the new reason.',
  ],
  options: {
    filter: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    limit: { type: 'string' },
  },
  async run(ctx, args) {
    const filter = parseFilters(listOption(args, 'filter'), 'dlq redrive');
    const limit = intOption(args, 'limit', 1000, 'dlq redrive');
    const dryRun = flag(args, 'dry-run');
    const deployment = await ctx.deployment();
    const config = await configOrUndefined(ctx);
    const result = await redrive(ctx, deployment, config, filter, { dryRun, limit });
    const left = await ctx.queue.depth(deployment.dlqUrl);
    if (ctx.json) {
      ctx.out.line(
        JSON.stringify(
          { dryRun, redriven: result.redriven.map(withoutBody), skipped: result.skipped },
          null,
          2,
        ),
      );
      return 0;
    }
    const p = paint(ctx.out);
    const verb = dryRun ? 'would redrive' : 'redriven';
    for (const letter of result.redriven) {
      ctx.out.line(
        `${dryRun ? p.yellow('would redrive') : p.green('redriven')}  ${letter.id}  ${letter.errorCode}  ${letter.connectionId ?? '?'}:${letter.issueKey ?? letter.issueId ?? '?'}`,
      );
    }
    ctx.out.line(
      `${result.redriven.length} ${verb}${result.skipped > 0 ? `, ${result.skipped} not matching the filter left in the DLQ` : ''}${dryRun ? ' (dry run: nothing changed)' : ''}`,
    );
    const remaining = left.visible + left.inFlight;
    if (dryRun && remaining > result.redriven.length + result.skipped) {
      ctx.out.line(
        p.dim(
          `the DLQ holds about ${remaining}: an issue's later messages show only once its first one is redriven`,
        ),
      );
    }
    return 0;
  },
};
