import { Duration, Stack } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { jiraSyncMetric, jiraSyncMetricAcross } from './metrics.ts';
import type { SyncQueue } from './sync-queue.ts';
import type { SyncSweep } from './sync-sweep.ts';
import type { SyncWorker } from './sync-worker.ts';
import type { WebhookIngest } from './webhook-ingest.ts';

export interface SyncDashboardProps {
  readonly queue: SyncQueue;
  readonly ingest: WebhookIngest;
  readonly worker: SyncWorker;
  /** @default - no sweep widgets */
  readonly sweep?: SyncSweep;
  /** Shown as a status grid at the top. */
  readonly alarms: readonly Alarm[];
  /**
   * @default - the stack name
   */
  readonly dashboardName?: string;
  /**
   * Aggregation period of the graphs.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * One CloudWatch dashboard with the pipeline's key figures: alarms, webhooks in, queue depth and age,
 * dead letters, reconciles and Jira writes, conflicts, sync lag (p50/p99), sweep and function health.
 */
export class SyncDashboard extends Construct {
  public readonly dashboard: Dashboard;
  /** The console link (region-qualified). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: SyncDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const stack = Stack.of(this);
    const { queue, deadLetterQueue } = props.queue;
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], width = 8) =>
      new GraphWidget({ title, left, right, width, height: 6, period });
    const sum = (name: string, label?: string) =>
      jiraSyncMetric(name, { period, ...(label === undefined ? {} : { label }) });
    const functions: [string, NodejsFunction][] = [
      ['ingest', props.ingest.handler],
      ['worker', props.worker.handler],
      ...(props.sweep ? [['sweep', props.sweep.handler] as [string, NodejsFunction]] : []),
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? stack.stackName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# jira-sync\nJira webhooks → ingest → SQS FIFO → sync worker → Jira. A growing queue age or a non-empty dead-letter queue means the sync is behind or failing: see the worker log (`record moved to the dead-letter queue`).',
        width: 24,
        height: 2,
      }),
    );
    if (props.alarms.length > 0) {
      this.dashboard.addWidgets(
        new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 3 }),
      );
    }
    this.dashboard.addWidgets(
      graph('Webhooks', [
        sum('WebhooksReceived', 'received'),
        sum('WebhooksAccepted', 'accepted'),
        jiraSyncMetricAcross('WebhooksRejected', 'reason', { period, label: 'rejected' }),
        sum('EventsEnqueued', 'events enqueued'),
      ]),
      graph(
        'Queue depth',
        [
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'waiting' }),
          queue.metricApproximateNumberOfMessagesNotVisible({
            period,
            statistic: 'Maximum',
            label: 'in flight / backing off',
          }),
        ],
        [
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: 'Maximum',
            label: 'DLQ',
          }),
        ],
      ),
      graph('Oldest queued event (s)', [
        queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: 'oldest age' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Reconciles and Jira writes', [
        sum('Reconciles', 'reconciles'),
        sum('JiraWrites', 'Jira writes'),
        sum('Retries', 'retries'),
        sum('DeadLettered', 'dead-lettered'),
      ]),
      graph('Conflicts', [sum('Conflicts', 'conflicts')]),
      graph('Sync lag (ms, webhook received → written)', [
        jiraSyncMetric('SyncLag', { period, statistic: 'p50', label: 'p50' }),
        jiraSyncMetric('SyncLag', { period, statistic: 'p99', label: 'p99' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Sweep', [sum('SweepEnqueued', 'issues enqueued')], [sum('SweepFailures', 'flow failures')]),
      graph(
        'Function errors and throttles',
        functions.map(([name, fn]) => fn.metricErrors({ period, statistic: 'Sum', label: `${name} errors` })),
        functions.map(([name, fn]) =>
          fn.metricThrottles({ period, statistic: 'Sum', label: `${name} throttles` }),
        ),
      ),
      graph(
        'Function duration p99 (ms)',
        functions.map(([name, fn]) => fn.metricDuration({ period, statistic: 'p99', label: name })),
      ),
    );

    this.url = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${this.dashboard.dashboardName}`;
  }
}
