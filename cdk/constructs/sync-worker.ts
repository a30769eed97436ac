import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantPutSecretValue } from '../secret-refs.ts';
import { type BundledConfig, JiraSyncFunction, type PowertoolsLogLevel } from './jira-sync-function.ts';
import type { SyncQueue } from './sync-queue.ts';
import type { SyncStateTable } from './sync-state-table.ts';

export interface SyncWorkerProps {
  /** The queue the worker drains; its visibility timeout must be at least 6 x the worker timeout. */
  readonly queue: SyncQueue;
  /** Links, bases and conflicts: the worker reads and writes items of this table only. */
  readonly stateTable: SyncStateTable;
  readonly bundledConfig: BundledConfig;
  /** The only secrets the worker may read: each connection's Jira credentials. */
  readonly authSecrets: readonly ISecret[];
  /**
   * Auth secrets the worker also writes: OAuth connections, whose refresh token rotates on every refresh
   * and must be stored back for the other containers.
   * @default - none
   */
  readonly rotatingAuthSecrets?: readonly ISecret[];
  /**
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Records per invocation (1-10: the FIFO limit).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Concurrent invocations the event source may run (2-1000). This, not reserved concurrency, is what
   * keeps the sync inside Jira's rate limits.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;
}

/**
 * The sync worker: drains the FIFO queue in batches, reconciles issues against the state table, reports
 * per-record failures, backs off through the visibility timeout and dead-letters permanent failures itself
 * (with the reason as message attributes).
 */
export class SyncWorker extends Construct {
  public readonly handler: NodejsFunction;
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: SyncWorkerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(60);
    const batchSize = props.batchSize ?? 10;
    const maxConcurrency = props.maxConcurrency ?? 5;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`${this.node.path}: batchSize must be 1 to 10 for a FIFO queue (got ${batchSize})`);
    }
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new Error(`${this.node.path}: maxConcurrency must be 2 to 1000 (got ${maxConcurrency})`);
    }
    // Below 6 x, a record still in flight becomes visible again and runs twice, burning receives.
    const visibility = props.queue.visibilityTimeout.toSeconds();
    if (visibility < 6 * timeout.toSeconds()) {
      throw new Error(
        `${this.node.path}: the queue visibility timeout (${visibility} s) must be at least 6 x the worker timeout ` +
          `(${timeout.toSeconds()} s), i.e. ${6 * timeout.toSeconds()} s`,
      );
    }

    const fn = new JiraSyncFunction(this, 'Function', {
      name: 'sync-worker',
      description: 'jira-sync: reconciles issues from the sync queue',
      bundledConfig: props.bundledConfig,
      timeout,
      memorySize: props.memorySize ?? 512,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      environment: {
        JIRA_SYNC_STATE_TABLE: props.stateTable.table.tableName,
        JIRA_SYNC_QUEUE_URL: props.queue.queue.queueUrl,
        JIRA_SYNC_DLQ_URL: props.queue.deadLetterQueue.queueUrl,
        JIRA_SYNC_MAX_RECEIVE_COUNT: String(props.queue.maxReceiveCount),
      },
    });
    this.handler = fn.function;
    for (const secret of props.authSecrets) secret.grantRead(this.handler);
    for (const secret of props.rotatingAuthSecrets ?? []) grantPutSecretValue(secret, this.handler);
    props.stateTable.grantStateAccess(this.handler);
    // Permanent failures are copied to the DLQ with their reason before the record is acknowledged.
    props.queue.deadLetterQueue.grantSendMessages(this.handler);

    // The event source grants consuming the queue, ChangeMessageVisibility (the worker's backoff) included.
    this.eventSource = new SqsEventSource(props.queue.queue, {
      batchSize,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.handler.addEventSource(this.eventSource);
  }
}
