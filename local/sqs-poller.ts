import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { WorkerHandler } from './handler-types.ts';
import { createLambdaContext } from './lambda-context.ts';
import { type QueueIdentity, toSqsEvent } from './sqs-event.ts';

/**
 * Plays Lambda's SQS event source mapping with ReportBatchItemFailures: long-poll, invoke the worker with a
 * batch, delete what succeeded and leave failures in flight so they reappear after the visibility timeout
 * and, after maxReceiveCount receives, are moved to the DLQ by the queue itself (redrive is SQS's job).
 */

export interface SqsPollerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queue: QueueIdentity;
  readonly handler: WorkerHandler;
  readonly batchSize?: number;
  /** Long-poll wait; short so shutdown and tests stay quick. */
  readonly waitTimeSeconds?: number;
  readonly functionName?: string;
  readonly functionTimeoutMs?: number;
  readonly accountId?: string;
  readonly onBatch?: (outcome: BatchOutcome) => void;
  /** Poller-level trouble: the handler threw, an invalid response, a failed receive or delete. */
  readonly onError?: (error: unknown, what: string) => void;
}

export interface BatchOutcome {
  readonly received: number;
  readonly deleted: number;
  /** Message ids left for redelivery. */
  readonly failed: readonly string[];
  /** Why the whole batch failed, when it did. */
  readonly batchFailure?: 'handler-threw' | 'invalid-response';
}

export interface SqsPoller {
  /** Stops polling, waits for an in-flight batch to finish (up to `graceMs`), then resolves. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const responseSchema = z
  .object({
    batchItemFailures: z.array(z.object({ itemIdentifier: z.string().min(1) })).nullish(),
  })
  .nullish();

export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const abort = new AbortController();
  const loop = run(options, abort.signal);
  let stopping: Promise<void> | undefined;
  return {
    stop: (graceMs = 5000) => {
      stopping ??= (async () => {
        abort.abort();
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        });
        await Promise.race([loop, grace]);
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

async function run(options: SqsPollerOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let messages: Message[];
    try {
      const received = await options.client.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batchSize ?? 10,
          WaitTimeSeconds: options.waitTimeSeconds ?? 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      messages = received.Messages ?? [];
    } catch (error) {
      if (signal.aborted) return;
      options.onError?.(error, 'ReceiveMessage failed');
      await sleep(1000, signal);
      continue;
    }
    if (messages.length === 0) continue;
    // A bug here must not end the loop silently: the messages simply come back after the timeout.
    await processBatch(options, messages).catch((error: unknown) =>
      options.onError?.(error, 'batch processing failed'),
    );
  }
}

async function processBatch(options: SqsPollerOptions, messages: Message[]): Promise<void> {
  const event = toSqsEvent(messages, options.queue);
  const context = createLambdaContext({
    functionName: options.functionName ?? 'jira-sync-sync-worker',
    timeoutMs: options.functionTimeoutMs ?? 30_000,
    region: options.queue.region,
    accountId: options.accountId ?? '000000000000',
  });
  const ids = new Set(event.Records.map((r) => r.messageId));
  let failed: ReadonlySet<string>;
  let batchFailure: BatchOutcome['batchFailure'];
  try {
    const verdict = judge(await options.handler(event, context), ids);
    failed = verdict.failed;
    if (verdict.invalid) {
      batchFailure = 'invalid-response';
      options.onError?.(verdict.invalid, 'invalid batch response: the whole batch fails, as in Lambda');
    }
  } catch (error) {
    options.onError?.(error, 'worker handler threw: the whole batch fails');
    failed = ids;
    batchFailure = 'handler-threw';
  }
  const succeeded = messages.filter((m) => m.MessageId && !failed.has(m.MessageId) && m.ReceiptHandle);
  let deleted = 0;
  if (succeeded.length > 0) {
    try {
      const result = await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: succeeded.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      deleted = result.Successful?.length ?? 0;
      if (result.Failed?.length) options.onError?.(result.Failed, 'DeleteMessageBatch had failed entries');
    } catch (error) {
      options.onError?.(error, 'DeleteMessageBatch failed: the messages will be redelivered');
    }
  }
  options.onBatch?.({
    received: messages.length,
    deleted,
    failed: [...failed],
    ...(batchFailure ? { batchFailure } : {}),
  });
}

/**
 * Lambda's rules: a null response or null/empty `batchItemFailures` means all succeeded; an unparsable
 * response, an empty or missing itemIdentifier, or an id that is not in the batch fails the whole batch.
 */
function judge(
  response: unknown,
  ids: ReadonlySet<string>,
): { failed: ReadonlySet<string>; invalid?: string } {
  const parsed = responseSchema.safeParse(response);
  if (!parsed.success)
    return { failed: ids, invalid: 'response does not match { batchItemFailures: [{ itemIdentifier }] }' };
  const failures = parsed.data?.batchItemFailures ?? [];
  const unknown = failures.find((f) => !ids.has(f.itemIdentifier));
  if (unknown)
    return { failed: ids, invalid: `itemIdentifier ${unknown.itemIdentifier} is not in the batch` };
  return { failed: new Set(failures.map((f) => f.itemIdentifier)) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
