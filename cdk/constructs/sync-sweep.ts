import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantPutSecretValue } from '../secret-refs.ts';
import { type BundledConfig, JiraSyncFunction, type PowertoolsLogLevel } from './jira-sync-function.ts';
import type { SyncStateTable } from './sync-state-table.ts';

export interface SyncSweepProps {
  /** Where the sweep enqueues an event per recently updated issue (the sync queue). */
  readonly queue: IQueue;
  /** Sweep marks (where each flow's last sweep ended) live here. */
  readonly stateTable: SyncStateTable;
  readonly bundledConfig: BundledConfig;
  /** The Jira credentials of every connection a flow uses. */
  readonly authSecrets: readonly ISecret[];
  /**
   * Auth secrets the sweep also writes: OAuth connections (rotating refresh tokens).
   * @default - none
   */
  readonly rotatingAuthSecrets?: readonly ISecret[];
  /**
   * How often the sweep runs (1 minute to 1 day). It bounds how late a change whose webhook was lost is
   * synced; each run costs one JQL search per flow side.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
  /**
   * At most the interval, so runs do not overlap.
   * @default Duration.minutes(5), or the interval when shorter
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default 512
   */
  readonly memorySize?: number;
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
 * The sweep: on an EventBridge schedule, searches each flow's projects for issues updated since the last
 * sweep and enqueues them, so lost webhooks, OAuth setups without webhooks and backfills converge.
 */
export class SyncSweep extends Construct {
  public readonly handler: NodejsFunction;
  public readonly schedule: Rule;
  public readonly interval: Duration;

  constructor(scope: Construct, id: string, props: SyncSweepProps) {
    super(scope, id);
    this.interval = props.interval ?? Duration.minutes(5);
    const interval = this.interval.toSeconds();
    if (!Number.isInteger(interval / 60) || interval < 60 || interval > 24 * 3600) {
      throw new Error(
        `${this.node.path}: interval must be whole minutes from 1 minute to 1 day (got ${interval} s)`,
      );
    }
    const timeout = props.timeout ?? Duration.seconds(Math.min(300, interval));
    if (timeout.toSeconds() > interval) {
      throw new Error(
        `${this.node.path}: timeout (${timeout.toSeconds()} s) must not exceed the interval (${interval} s), or sweeps overlap`,
      );
    }

    const fn = new JiraSyncFunction(this, 'Function', {
      name: 'sweep',
      description: 'jira-sync: enqueues recently updated issues of every flow (missed webhooks)',
      bundledConfig: props.bundledConfig,
      timeout,
      memorySize: props.memorySize ?? 512,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      environment: {
        JIRA_SYNC_STATE_TABLE: props.stateTable.table.tableName,
        JIRA_SYNC_QUEUE_URL: props.queue.queueUrl,
      },
    });
    this.handler = fn.function;
    props.stateTable.grantStateAccess(this.handler);
    props.queue.grantSendMessages(this.handler);
    for (const secret of props.authSecrets) secret.grantRead(this.handler);
    for (const secret of props.rotatingAuthSecrets ?? []) grantPutSecretValue(secret, this.handler);
    // A failed sweep is not retried: the next run looks back to the last successful mark anyway.
    this.handler.configureAsyncInvoke({ retryAttempts: 0 });

    this.schedule = new Rule(this, 'Schedule', {
      description: `jira-sync: sweep every ${interval / 60} min`,
      schedule: Schedule.rate(this.interval),
      targets: [new LambdaFunction(this.handler)],
    });
  }
}
