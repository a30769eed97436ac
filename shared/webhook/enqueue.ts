import { createHash } from 'node:crypto';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients.ts';
import { IngestUnavailable } from './errors.ts';
import { messageGroupId, type SyncEvent } from './sync-event.ts';

export type Enqueue = (events: readonly SyncEvent[]) => Promise<void>;

/**
 * Deduplication id of one event: the delivery's identifier scoped to connection and issue, so a retried
 * delivery collapses while the two events of one issue-link delivery (two issues) both survive.
 */
export function deduplicationId(event: SyncEvent): string {
  const ref = event.issue.id ?? `key:${event.issue.key ?? ''}`;
  return createHash('sha256').update(`${event.connectionId}\n${event.webhookId}\n${ref}`).digest('hex');
}

const SQS_BATCH = 10;

/**
 * Sends events to the FIFO queue. Any failure (transport, throttling or a partial batch) throws
 * `IngestUnavailable`, so the webhook is answered 503 and Jira retries; re-sent events that did land are
 * collapsed by their deduplication ids, so a retry never duplicates.
 */
export function sqsEnqueue(queueUrl: string): Enqueue {
  return async (events) => {
    for (let start = 0; start < events.length; start += SQS_BATCH) {
      const chunk = events.slice(start, start + SQS_BATCH);
      let failed: number;
      try {
        const out = await sqsClient().send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((event, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify(event),
              MessageGroupId: messageGroupId(event),
              MessageDeduplicationId: deduplicationId(event),
              MessageAttributes: {
                connectionId: { DataType: 'String', StringValue: event.connectionId },
                webhookId: { DataType: 'String', StringValue: event.webhookId },
              },
            })),
          }),
        );
        failed = out.Failed?.length ?? 0;
      } catch (cause) {
        throw new IngestUnavailable('QUEUE_UNAVAILABLE', 'the event queue did not accept the events', {
          cause,
        });
      }
      if (failed > 0) {
        throw new IngestUnavailable(
          'QUEUE_UNAVAILABLE',
          `the event queue refused ${failed} of ${chunk.length} events`,
        );
      }
    }
  };
}
