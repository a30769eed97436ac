import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../aws/clients.ts';
import { StateUnavailable } from './errors.ts';
import { keys, STATE_TABLE } from './table.ts';

/**
 * Deliveries already reconciled, remembered beyond SQS's 5-minute deduplication window: Jira retries a
 * webhook up to ~30 minutes late, and a late copy of a handled delivery needs no Jira reads at all.
 * Skipping is safe because reconciles are level-triggered: the handled delivery already converged the
 * state it announced, and every later change brings its own event.
 */
export class DeliveryLog {
  constructor(
    private readonly tableName: string,
    private readonly ttlSeconds = 2 * 3600,
    private readonly now: () => number = Date.now,
  ) {}

  async seen(id: string): Promise<boolean> {
    try {
      const out = await dynamoDocumentClient().send(
        new GetCommand({ TableName: this.tableName, Key: keys.delivery(id), ConsistentRead: true }),
      );
      const expiresAt = out.Item?.[STATE_TABLE.ttlAttribute];
      // TTL deletion lags (and dynalite never deletes): an expired item counts as unseen.
      return typeof expiresAt === 'number' && expiresAt * 1000 > this.now();
    } catch (cause) {
      throw new StateUnavailable('state table: reading the delivery log failed', { cause });
    }
  }

  async remember(id: string): Promise<void> {
    try {
      await dynamoDocumentClient().send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.delivery(id),
            [STATE_TABLE.ttlAttribute]: Math.floor(this.now() / 1000) + this.ttlSeconds,
          },
        }),
      );
    } catch (cause) {
      if (cause instanceof ConditionalCheckFailedException) return;
      throw new StateUnavailable('state table: writing the delivery log failed', { cause });
    }
  }
}
