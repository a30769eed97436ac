import { Duration } from 'aws-cdk-lib';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface SyncQueueProps {
  /**
   * Receives before a message moves to the dead-letter queue (1-1000).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Visibility timeout; keep it at least 6 x the worker timeout (Lambda's guidance for SQS event sources,
   * checked by SyncWorker).
   * @default Duration.minutes(6)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * How long a message may wait in the queue (1 minute to 14 days).
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long failed messages stay in the dead-letter queue for inspection and redrive (1 minute to 14 days).
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
}

/**
 * The FIFO queue between ingest and the sync worker, in high-throughput mode (deduplication and throughput
 * per message group, i.e. per issue), with a FIFO dead-letter queue. Both use SSE-SQS and refuse non-TLS
 * requests.
 */
export class SyncQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly maxReceiveCount: number;
  public readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: SyncQueueProps = {}) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    this.visibilityTimeout = props.visibilityTimeout ?? Duration.minutes(6);
    const retentionPeriod = props.retentionPeriod ?? Duration.days(4);
    const deadLetterRetentionPeriod = props.deadLetterRetentionPeriod ?? Duration.days(14);

    if (!Number.isInteger(this.maxReceiveCount) || this.maxReceiveCount < 1 || this.maxReceiveCount > 1000) {
      throw new Error(
        `${this.node.path}: maxReceiveCount must be a whole number from 1 to 1000 (got ${this.maxReceiveCount})`,
      );
    }
    const visibility = this.visibilityTimeout.toSeconds();
    if (visibility > 12 * 3600) {
      throw new Error(`${this.node.path}: visibilityTimeout must be at most 12 hours (got ${visibility} s)`);
    }
    checkRetention(this, 'retentionPeriod', retentionPeriod);
    checkRetention(this, 'deadLetterRetentionPeriod', deadLetterRetentionPeriod);

    // SSE-SQS rather than KMS: the messages hold ids only, and a customer key would add KMS calls (cost,
    // request quota) to every send and receive plus key grants for every producer and consumer.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: deadLetterRetentionPeriod,
    });
    this.queue = new Queue(this, 'Queue', {
      fifo: true,
      // Ingest sets the deduplication id (the Jira webhook id) so Jira's retries collapse.
      contentBasedDeduplication: false,
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
  }
}

function checkRetention(scope: Construct, name: string, value: Duration): void {
  const seconds = value.toSeconds();
  if (seconds < 60 || seconds > 14 * 24 * 3600) {
    throw new Error(`${scope.node.path}: ${name} must be 1 minute to 14 days (got ${seconds} s)`);
  }
}
