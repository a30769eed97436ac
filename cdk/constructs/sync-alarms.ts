import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, type AlarmProps, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SyncQueue } from './sync-queue.ts';
import type { SyncWorker } from './sync-worker.ts';
import type { WebhookIngest } from './webhook-ingest.ts';

export interface SyncAlarmsProps {
  readonly queue: SyncQueue;
  readonly worker: SyncWorker;
  readonly ingest: WebhookIngest;
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
  }

  private alarm(id: string, props: AlarmProps): Alarm {
    // No data means an idle queue or function, which is healthy.
    const alarm = new Alarm(this, id, { treatMissingData: TreatMissingData.NOT_BREACHING, ...props });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}
