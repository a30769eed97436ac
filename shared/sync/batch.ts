import { AppError } from '../errors/app-error.ts';
import { messageGroupId, type SyncEvent } from '../webhook/sync-event.ts';
import { parseSyncRecord } from './sync-record.ts';

/** One SQS record as the batch logic needs it. */
export interface QueueRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  /** FIFO attributes, kept when a record moves to the dead-letter queue. */
  readonly groupId: string;
  readonly deduplicationId: string;
}

export interface FailureInfo {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

export interface BatchDeps {
  /** Reconciles everything one event names; throws on failure. */
  readonly reconcile: (event: SyncEvent) => Promise<void>;
  /** Copies a record to the dead-letter queue with the reason attached; reported processed, it leaves the queue. */
  readonly deadLetter: (record: QueueRecord, failure: FailureInfo) => Promise<void>;
  /** Makes a failed record visible again after `seconds` (backoff through the visibility timeout). */
  readonly retryLater: (record: QueueRecord, seconds: number) => Promise<void>;
  /** Receives after which a retryable failure is given up (the queue's redrive maxReceiveCount). */
  readonly maxReceiveCount: number;
  /**
   * The longest backoff between retries. FIFO keeps an issue's later events behind a failed one, so this
   * is also how long one issue may wait behind a transient failure. Default 120 s.
   */
  readonly maxBackoffSeconds?: number;
  readonly random?: () => number;
  /** Issue groups reconciled at once within a batch (default 4); Jira's rate limits are the client's job. */
  readonly concurrency?: number;
  readonly onOutcome?: (outcome: RecordOutcome) => void;
}

export type RecordOutcome =
  | {
      readonly kind: 'done';
      readonly messageIds: readonly string[];
      readonly event: SyncEvent;
      readonly coalesced: number;
    }
  | {
      readonly kind: 'retry';
      readonly messageIds: readonly string[];
      readonly failure: FailureInfo;
      readonly delaySeconds: number;
    }
  | { readonly kind: 'dead-letter'; readonly messageIds: readonly string[]; readonly failure: FailureInfo };

/** Errors that say how long to wait (rate limits) expose it. */
interface HasRetryAfter {
  readonly retryAfterMs?: number;
}

export function describeFailure(error: unknown): FailureInfo {
  if (error instanceof AppError)
    return { code: error.code, message: error.message, retryable: error.retryable };
  // Unknown errors are bugs or infrastructure hiccups: retrying is safe (reconcile is idempotent).
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'UNEXPECTED', message, retryable: true };
}

/** Exponential backoff (5 s, 10 s, 20 s, …) with full jitter, capped; a `Retry-After` wins up to 15 min. */
export function backoffSeconds(
  receiveCount: number,
  random: () => number,
  retryAfterMs?: number,
  maxSeconds = 120,
): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(900, Math.ceil(retryAfterMs / 1000));
  const ceiling = Math.min(maxSeconds, 5 * 2 ** Math.max(0, receiveCount - 1));
  return Math.max(1, Math.round(ceiling * random()));
}

/**
 * Processes one SQS batch: records are grouped per issue (the FIFO message group) and each group is
 * reconciled once with its latest event — the worker reads current state, so older events add nothing.
 * A group succeeds or fails as a whole, which keeps per-issue order. Failures never touch other groups:
 * a retryable one returns to the queue with backoff; a permanent one, or a retryable one on its last
 * receive, goes to the dead-letter queue with its reason. Returns the message ids to report as failed.
 */
export async function processBatch(records: readonly QueueRecord[], deps: BatchDeps): Promise<string[]> {
  const random = deps.random ?? Math.random;
  const failed: string[] = [];
  const groups = new Map<string, { records: QueueRecord[]; event: SyncEvent }>();

  for (const record of records) {
    let event: SyncEvent;
    try {
      event = parseSyncRecord(record.body, record.messageId);
    } catch (error) {
      // Can never succeed: straight to the DLQ with the reason, not after N pointless receives.
      const failure = describeFailure(error);
      if (await deadLetterAll([record], failure, deps, failed)) {
        deps.onOutcome?.({ kind: 'dead-letter', messageIds: [record.messageId], failure });
      }
      continue;
    }
    const key = messageGroupId(event);
    const group = groups.get(key);
    if (group) {
      group.records.push(record);
      // The latest event, received no earlier than any of the group: the reconcile must not be taken as
      // stale while one of its events is newer than the last reconcile.
      group.event = { ...event, receivedAt: Math.max(event.receivedAt, group.event.receivedAt) };
    } else {
      groups.set(key, { records: [record], event });
    }
  }

  const handleGroup = async ({ records: group, event }: { records: QueueRecord[]; event: SyncEvent }) => {
    const ids = group.map((r) => r.messageId);
    try {
      await deps.reconcile(event);
      deps.onOutcome?.({ kind: 'done', messageIds: ids, event, coalesced: group.length });
    } catch (error) {
      const failure = describeFailure(error);
      const receives = Math.max(...group.map((r) => r.receiveCount));
      if (!failure.retryable || receives >= deps.maxReceiveCount) {
        if (await deadLetterAll(group, failure, deps, failed)) {
          deps.onOutcome?.({ kind: 'dead-letter', messageIds: ids, failure });
        }
        return;
      }
      const delaySeconds = backoffSeconds(
        receives,
        random,
        (error as HasRetryAfter).retryAfterMs,
        deps.maxBackoffSeconds,
      );
      // Without the backoff the record still returns after the queue's visibility timeout: nothing is lost.
      for (const record of group) await deps.retryLater(record, delaySeconds).catch(() => undefined);
      failed.push(...ids);
      deps.onOutcome?.({ kind: 'retry', messageIds: ids, failure, delaySeconds });
    }
  };
  // Different issues are independent (their links have leases): reconcile a few groups at once.
  const queue = [...groups.values()];
  const workers = Array.from({ length: Math.min(deps.concurrency ?? 4, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await handleGroup(next);
  });
  await Promise.all(workers);
  return failed;
}

/**
 * Dead-letters records; any that cannot be moved stay in the main queue (reported failed), so a DLQ outage
 * never loses a record. Returns whether all moved.
 */
async function deadLetterAll(
  records: readonly QueueRecord[],
  failure: FailureInfo,
  deps: BatchDeps,
  failed: string[],
): Promise<boolean> {
  let all = true;
  for (const record of records) {
    try {
      await deps.deadLetter(record, failure);
    } catch {
      failed.push(record.messageId);
      all = false;
    }
  }
  return all;
}
