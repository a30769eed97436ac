import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients.ts';
import { sqsEnqueue } from '../webhook/enqueue.ts';
import type { SyncEvent } from '../webhook/sync-event.ts';

/** A message as the CLI sees it: body, FIFO group and the string attributes the worker attached. */
export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly groupId: string | undefined;
  /** When SQS accepted it (the DLQ: when it was dead-lettered), ms since the epoch. */
  readonly sentAt: number | undefined;
  readonly receiveCount: number | undefined;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface QueueDepth {
  /** Waiting to be received. */
  readonly visible: number;
  /** Received and being worked on (or backing off after a failure). */
  readonly inFlight: number;
  readonly delayed: number;
}

/** The SQS operations the CLI needs; tests fake it or use fauxqs through the real client. */
export interface QueuePort {
  depth(queueUrl: string): Promise<QueueDepth>;
  attributes(queueUrl: string, names: readonly string[]): Promise<Record<string, string>>;
  /** Up to `max` (≤ 10) messages, hidden from others for `visibilitySeconds`. */
  receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<QueueMessage[]>;
  send(
    queueUrl: string,
    message: {
      readonly body: string;
      readonly groupId: string;
      readonly deduplicationId: string;
      readonly attributes?: Readonly<Record<string, string>>;
    },
  ): Promise<void>;
  /** Sends sync events the way the ingest does (FIFO group per issue, deduplication id per delivery). */
  enqueue(queueUrl: string, events: readonly SyncEvent[]): Promise<void>;
  delete(queueUrl: string, receiptHandle: string): Promise<void>;
  /** Makes a received message visible again at once. */
  release(queueUrl: string, receiptHandle: string): Promise<void>;
}

/** The port over the shared SQS client (endpoint and region from the environment, as everywhere). */
export function sqsQueuePort(): QueuePort {
  const attributes = async (queueUrl: string, names: readonly string[]) => {
    const out = await sqsClient().send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names as QueueAttributeName[] }),
    );
    return out.Attributes ?? {};
  };
  return {
    attributes,
    async depth(queueUrl) {
      const a = await attributes(queueUrl, [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ]);
      return {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    },
    async receive(queueUrl, max, visibilitySeconds) {
      const out = await sqsClient().send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      return (out.Messages ?? []).flatMap((m) => {
        if (!m.MessageId || !m.ReceiptHandle) return [];
        const attrs: Record<string, string> = {};
        for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
          if (value.StringValue !== undefined) attrs[name] = value.StringValue;
        }
        const system = m.Attributes ?? {};
        return [
          {
            messageId: m.MessageId,
            receiptHandle: m.ReceiptHandle,
            body: m.Body ?? '',
            groupId: system.MessageGroupId,
            sentAt: system.SentTimestamp === undefined ? undefined : Number(system.SentTimestamp),
            receiveCount:
              system.ApproximateReceiveCount === undefined
                ? undefined
                : Number(system.ApproximateReceiveCount),
            attributes: attrs,
          },
        ];
      });
    },
    async send(queueUrl, message) {
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          MessageGroupId: message.groupId,
          MessageDeduplicationId: message.deduplicationId,
          MessageAttributes: Object.fromEntries(
            Object.entries(message.attributes ?? {}).map(([k, v]) => [
              k,
              { DataType: 'String', StringValue: v },
            ]),
          ),
        }),
      );
    },
    enqueue: (queueUrl, events) => sqsEnqueue(queueUrl)(events),
    async delete(queueUrl, receiptHandle) {
      await sqsClient().send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    },
    async release(queueUrl, receiptHandle) {
      await sqsClient().send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    },
  };
}
