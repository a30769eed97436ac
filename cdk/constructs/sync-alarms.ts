import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, type AlarmProps, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { jiraSyncMetric } from './metrics.ts';
import type { SyncQueue } from './sync-queue.ts';
import type { SyncSweep } from './sync-sweep.ts';
import type { SyncWorker } from './sync-worker.ts';
import type { WebhookIngest } from './webhook-ingest.ts';
import type { WebhookRegistrar } from './webhook-registrar.ts';

export interface SyncAlarmsProps {
  readonly queue: SyncQueue;
  readonly worker: SyncWorker;
  readonly ingest: WebhookIngest;
  /**
   * Alarms on sweeps that fail two runs in a row.
   * @default - no sweep alarms
   */
  readonly sweep?: SyncSweep;
  /**
   * Alarms when a webhook registration fails.
   * @default - no registration alarm
   */
  readonly registrar?: WebhookRegistrar;
  /**
   * Alarm when the oldest queued message is older than this (the sync is falling behind).
   * @default Duration.minutes(15)
   */
  readonly maxMessageAge?: Duration;
}

/**
 * The alarms that mean "sync is broken or behind", all notifying one KMS-encrypted, TLS-only SNS topic.
 * Subscribe a team channel to `topic`.
 */
export class SyncAlarms extends Construct {
  public readonly topic: Topic;
  public readonly topicKey: Key;
  public readonly deadLetterMessages: Alarm;
  public readonly oldestMessageAge: Alarm;
  public readonly workerErrors: Alarm;
  public readonly ingestServerErrors: Alarm;
  public readonly workerThrottles: Alarm;
  public readonly ingestThrottles: Alarm;
  /** A flow's sweep failed (JQL refused, Jira down, credentials) two runs in a row. */
  public readonly sweepFailures: Alarm | undefined;
  /** The sweep function itself failed (crash or timeout) two runs in a row. */
  public readonly sweepErrors: Alarm | undefined;
  public readonly registrationFailures: Alarm | undefined;
  /** Every alarm above, for dashboards. */
  public readonly all: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SyncAlarmsProps) {
    super(scope, id);
    const maxAge = (props.maxMessageAge ?? Duration.minutes(15)).toSeconds();
    if (maxAge < 60) {
      throw new Error(`${this.node.path}: maxMessageAge must be at least 1 minute (got ${maxAge} s)`);
    }

    // A customer key because CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    this.topicKey = new Key(this, 'TopicKey', {
      description: 'jira-sync alarm topic',
      enableKeyRotation: true,
      // SNS stores no messages, so nothing encrypted outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'jira-sync alarms',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    // grantPublish also grants kms:Decrypt/GenerateDataKey* on the key; conditions stop other accounts' alarms.
    this.topic.grantPublish(
      new ServicePrincipal('cloudwatch.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      }),
    );

    const queue = props.queue;
    this.deadLetterMessages = this.alarm('DeadLetterMessages', {
      alarmDescription:
        'Sync events reached the dead-letter queue: they failed every retry. Inspect and redrive.',
      metric: queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.oldestMessageAge = this.alarm('OldestMessageAge', {
      alarmDescription: `The oldest sync event has waited over ${maxAge} s: the worker is failing or falling behind.`,
      metric: queue.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: maxAge,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });
    this.workerErrors = this.alarm('WorkerErrors', {
      alarmDescription: 'The sync worker failed whole invocations (crash or timeout), not single records.',
      metric: props.worker.handler.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.ingestServerErrors = this.alarm('IngestServerErrors', {
      alarmDescription:
        'The webhook API answered 5xx: webhooks were not enqueued (Jira retries some, Automation none).',
      metric: props.ingest.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    // Throttled webhooks become 5xx (Jira retries some); a throttled worker delays the whole queue.
    this.workerThrottles = this.alarm('WorkerThrottles', {
      alarmDescription:
        'The sync worker was throttled: the account or function concurrency limit is reached, events wait.',
      metric: props.worker.handler.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.ingestThrottles = this.alarm('IngestThrottles', {
      alarmDescription:
        'The webhook ingest function was throttled: webhooks were answered 5xx (Jira retries some, Automation none).',
      metric: props.ingest.handler.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    if (props.sweep) {
      // One period per sweep run, so "two periods" means two consecutive runs, whatever the interval.
      const period = Duration.seconds(Math.max(300, props.sweep.interval.toSeconds()));
      this.sweepFailures = this.alarm('SweepFailures', {
        alarmDescription:
          'A flow could not be swept two runs in a row (Jira unreachable, credentials, JQL): changes whose webhook was lost are not picked up.',
        metric: jiraSyncMetric('SweepFailures', { period }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
      });
      this.sweepErrors = this.alarm('SweepErrors', {
        alarmDescription: 'The sweep function failed (crash or timeout) two runs in a row.',
        metric: props.sweep.handler.metricErrors({ period, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
      });
    }
    if (props.registrar) {
      this.registrationFailures = this.alarm('WebhookRegistrationFailures', {
        alarmDescription:
          'Registering or refreshing a Jira webhook failed (see the registrar log and the WebhookRegistration output); fix it, then invoke the registrar function again.',
        metric: jiraSyncMetric('WebhookRegistrationFailures', { period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }
  }

  private alarm(id: string, props: AlarmProps): Alarm {
    // No data means an idle queue or function, which is healthy.
    const alarm = new Alarm(this, id, { treatMissingData: TreatMissingData.NOT_BREACHING, ...props });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.all.push(alarm);
    return alarm;
  }
}
