import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import * as z from 'zod';
import { firstLine } from './args.ts';
import type { CommandSender } from './cloudformation.ts';
import type { Deployment } from './target.ts';

/**
 * The age of the oldest message in the main queue, for `status`. SQS has no attribute for it: a deployed
 * queue's age is the CloudWatch metric `ApproximateAgeOfOldestMessage`; the local stack's fauxqs publishes
 * no metrics but can show its messages without receiving them. Receiving to measure would count against
 * `maxReceiveCount` and hide the message from the worker, so neither mode does.
 *
 * This module is for the CLI only: the CloudWatch client must never reach a Lambda bundle.
 */

export type QueueAgeSource = 'fauxqs' | 'cloudwatch';

export type OldestMessage =
  /** `asOf`: the CloudWatch datapoint's time (the metric lags by minutes); absent when read live. */
  | { readonly ageSeconds: number; readonly source: QueueAgeSource; readonly asOf?: string }
  /** Nothing to measure: the queue is empty (fauxqs), or CloudWatch has no datapoint in the window. */
  | { readonly ageSeconds: null; readonly source: QueueAgeSource; readonly reason: 'empty' | 'no-datapoint' }
  /** Could not be read (no permission, emulator unreachable, …); status goes on without it. */
  | { readonly unavailable: string };

export interface QueueAgePort {
  /** Reads the age; throws `QueueAgeError` when it cannot. */
  oldestMessage(deployment: Pick<Deployment, 'kind' | 'region' | 'queueUrl'>): Promise<OldestMessage>;
}

export class QueueAgeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueAgeError';
  }
}

/** The window and resolution `status` asks CloudWatch for; SQS publishes its metrics once a minute. */
export const METRIC_WINDOW_MS = 15 * 60_000;
export const METRIC_PERIOD_SECONDS = 60;

/** `https://sqs.eu-west-1.amazonaws.com/123/jira-sync-events.fifo` → `jira-sync-events.fifo`. */
export function queueNameOf(queueUrl: string): string {
  let path: string;
  try {
    path = new URL(queueUrl).pathname;
  } catch (error) {
    throw new QueueAgeError(`not a queue URL: ${queueUrl}`, { cause: error });
  }
  const name = path.split('/').filter(Boolean).at(-1);
  if (!name) throw new QueueAgeError(`no queue name in ${queueUrl}`);
  return decodeURIComponent(name);
}

/**
 * Never fails `status`: whatever goes wrong becomes the reason shown in place of the age. The reason leads
 * with the AWS error name (`AccessDenied`, `ExpiredToken`) because that says most about what to fix.
 */
export async function readOldestMessage(
  port: QueueAgePort,
  deployment: Pick<Deployment, 'kind' | 'region' | 'queueUrl'>,
): Promise<OldestMessage> {
  try {
    return await port.oldestMessage(deployment);
  } catch (error) {
    return { unavailable: describe(error) };
  }
}

function describe(error: unknown): string {
  const name = (error as { name?: string } | undefined)?.name;
  const message = firstLine(error instanceof Error ? error.message : String(error));
  if (error instanceof QueueAgeError || !name || name === 'Error' || message.startsWith(name)) {
    return message || 'unknown error';
  }
  return `${name}: ${message}`;
}

// --- local stack: fauxqs inspection -----------------------------------------------------------------

/** Only the fields used; fauxqs adds more (body, attributes, receipt handles) that are of no concern here. */
const inspectedMessage = z.object({ sentTimestamp: z.number().nonnegative() });
export const fauxqsInspectionSchema = z.object({
  messages: z.object({
    ready: z.array(inspectedMessage),
    delayed: z.array(inspectedMessage),
    inflight: z.array(z.object({ message: inspectedMessage })),
  }),
});

/** fauxqs serves the inspection next to the queues: same origin, `/_fauxqs/queues/<name>`. */
export function fauxqsInspectionUrl(queueUrl: string): string {
  const name = queueNameOf(queueUrl);
  return `${new URL(queueUrl).origin}/_fauxqs/queues/${encodeURIComponent(name)}`;
}

/**
 * The oldest of all messages not yet deleted, in flight and delayed included: that is what
 * `ApproximateAgeOfOldestMessage` covers on AWS, and a message the worker keeps failing is exactly the one
 * an operator wants to see the age of.
 */
export function oldestFromInspection(body: unknown, nowMs: number): OldestMessage {
  const parsed = fauxqsInspectionSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new QueueAgeError(
      `unexpected fauxqs inspection answer (${issue?.path.join('.') || '(root)'}: ${issue?.message})`,
      { cause: parsed.error },
    );
  }
  const { ready, delayed, inflight } = parsed.data.messages;
  const sent = [...ready, ...delayed, ...inflight.map((i) => i.message)].map((m) => m.sentTimestamp);
  if (sent.length === 0) return { ageSeconds: null, source: 'fauxqs', reason: 'empty' };
  // Whole seconds, as CloudWatch reports them; a clock step backwards must not give a negative age.
  return { ageSeconds: Math.max(0, Math.floor((nowMs - Math.min(...sent)) / 1000)), source: 'fauxqs' };
}

export async function fauxqsOldestMessage(
  queueUrl: string,
  fetchFn: typeof fetch,
  nowMs: () => number,
  timeoutMs = 5_000,
): Promise<OldestMessage> {
  const url = fauxqsInspectionUrl(queueUrl);
  let response: Response;
  try {
    response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new QueueAgeError(
      `fauxqs at ${new URL(url).origin} did not answer (${code ?? (error instanceof Error ? error.message : String(error))})`,
      { cause: error },
    );
  }
  if (response.status === 404) {
    throw new QueueAgeError(`fauxqs has no queue ${queueNameOf(queueUrl)} (was npm start restarted?)`);
  }
  if (!response.ok) throw new QueueAgeError(`fauxqs inspection answered HTTP ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new QueueAgeError('fauxqs inspection answered something other than JSON', { cause: error });
  }
  return oldestFromInspection(body, nowMs());
}

// --- deployed stack: CloudWatch ---------------------------------------------------------------------

export function oldestMessageQuery(queueName: string, nowMs: number): GetMetricDataCommandInput {
  return {
    StartTime: new Date(nowMs - METRIC_WINDOW_MS),
    EndTime: new Date(nowMs),
    ScanBy: 'TimestampDescending',
    MetricDataQueries: [
      {
        Id: 'oldest',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateAgeOfOldestMessage',
            Dimensions: [{ Name: 'QueueName', Value: queueName }],
          },
          Period: METRIC_PERIOD_SECONDS,
          Stat: 'Maximum',
        },
      },
    ],
  };
}

/** What `oldestFromMetricData` reads of a GetMetricData answer (the SDK's output fits). */
export interface MetricDataAnswer {
  readonly MetricDataResults?: readonly {
    readonly Id?: string | undefined;
    readonly Timestamps?: readonly Date[] | undefined;
    readonly Values?: readonly number[] | undefined;
    readonly StatusCode?: string | undefined;
    readonly Messages?: readonly {
      readonly Code?: string | undefined;
      readonly Value?: string | undefined;
    }[];
  }[];
}

/**
 * The newest datapoint, not the largest: the question is how old the oldest message is now, and a backlog
 * that has since drained must not be reported. The order is not trusted to `ScanBy` alone.
 */
export function oldestFromMetricData(answer: MetricDataAnswer): OldestMessage {
  const result = answer.MetricDataResults?.find((r) => r.Id === 'oldest') ?? answer.MetricDataResults?.[0];
  const times = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  let newest: { at: Date; value: number } | undefined;
  for (const [i, at] of times.entries()) {
    const value = values[i];
    if (value === undefined || !Number.isFinite(value)) continue;
    if (!newest || at.getTime() > newest.at.getTime()) newest = { at, value };
  }
  if (newest) {
    return {
      ageSeconds: Math.max(0, Math.round(newest.value)),
      source: 'cloudwatch',
      asOf: newest.at.toISOString(),
    };
  }
  // 'Forbidden' / 'InternalError' with no data: a real failure, not an idle queue.
  if (result?.StatusCode && result.StatusCode !== 'Complete' && result.StatusCode !== 'PartialData') {
    const said = result.Messages?.map((m) => m.Value ?? m.Code)
      .filter(Boolean)
      .join('; ');
    throw new QueueAgeError(`CloudWatch answered ${result.StatusCode}${said ? `: ${said}` : ''}`);
  }
  return { ageSeconds: null, source: 'cloudwatch', reason: 'no-datapoint' };
}

export async function cloudWatchOldestMessage(
  queueUrl: string,
  client: CommandSender,
  nowMs: number,
): Promise<OldestMessage> {
  const query = oldestMessageQuery(queueNameOf(queueUrl), nowMs);
  let answer: MetricDataAnswer;
  try {
    // One query of 15 one-minute datapoints never fills a page, so NextToken is not followed.
    answer = (await client.send(new GetMetricDataCommand(query))) as MetricDataAnswer;
  } catch (error) {
    throw new QueueAgeError(describe(error), { cause: error });
  }
  return oldestFromMetricData(answer);
}

export interface QueueAgeOptions {
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** Tests: a fake CloudWatch client per region. */
  readonly cloudWatch?: (region: string) => CommandSender;
}

/**
 * The real port: fauxqs for the local stack, CloudWatch (the caller's AWS credentials, as for
 * CloudFormation) for a deployed one. The local stack is never asked through CloudWatch: its placeholder
 * credentials would be sent to the real AWS endpoint.
 */
export function defaultQueueAgePort(options: QueueAgeOptions = {}): QueueAgePort {
  const now = options.now ?? Date.now;
  return {
    async oldestMessage(deployment) {
      if (deployment.kind === 'local') {
        return fauxqsOldestMessage(deployment.queueUrl, options.fetch ?? fetch, now);
      }
      if (options.cloudWatch) {
        return cloudWatchOldestMessage(deployment.queueUrl, options.cloudWatch(deployment.region), now());
      }
      const client = new CloudWatchClient({ region: deployment.region, maxAttempts: 2 });
      try {
        return await cloudWatchOldestMessage(deployment.queueUrl, client as unknown as CommandSender, now());
      } finally {
        // Status reads the metric once: an idle keep-alive socket would only delay the exit.
        client.destroy();
      }
    },
  };
}
