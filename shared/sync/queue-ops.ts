import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients.ts';
import type { FailureInfo, QueueRecord } from './batch.ts';

/**
 * SQS operations of the worker: dead-letter with the reason attached (the record is then reported as
 * processed, so Lambda deletes it from the main queue), and backoff via the visibility timeout.
 */
export function sqsQueueOps(queueUrl: string, deadLetterQueueUrl: string) {
  return {
    async deadLetter(record: QueueRecord, failure: FailureInfo): Promise<void> {
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MessageBody: record.body,
          MessageGroupId: record.groupId,
          // Distinct per dead-lettering, so a record dead-lettered again after a redrive is kept.
          MessageDeduplicationId: `${record.messageId}:${record.receiveCount}`.slice(0, 128),
          MessageAttributes: {
            errorCode: { DataType: 'String', StringValue: failure.code },
            errorMessage: { DataType: 'String', StringValue: failure.message.slice(0, 1000) || '(none)' },
            retryable: { DataType: 'String', StringValue: String(failure.retryable) },
            failedAt: { DataType: 'String', StringValue: new Date().toISOString() },
            receiveCount: { DataType: 'Number', StringValue: String(record.receiveCount) },
            originalMessageId: { DataType: 'String', StringValue: record.messageId },
          },
        }),
      );
    },
    async retryLater(record: QueueRecord, seconds: number): Promise<void> {
      await sqsClient().send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
        }),
      );
    },
  };
}
