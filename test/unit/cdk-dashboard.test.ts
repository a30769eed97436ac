import { describe, expect, it } from 'vitest';
import { cfnProperties, flatten, logicalId, sharedStack } from './cdk-test-stack.ts';

interface Widget {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; alarms?: unknown[] };
}

/** The dashboard body with its tokens flattened, parsed into widgets. */
function widgets(): Widget[] {
  const { template, stack } = sharedStack();
  const body = flatten(cfnProperties(template, stack.dashboard.dashboard).DashboardBody);
  return (JSON.parse(body) as { widgets: Widget[] }).widgets;
}

function graph(title: string): string {
  const widget = widgets().find((w) => w.properties.title === title);
  if (!widget) throw new Error(`no widget "${title}"`);
  return JSON.stringify(widget.properties.metrics);
}

describe('SyncDashboard', () => {
  it('shows the status of every alarm', () => {
    const { stack } = sharedStack();
    const status = widgets().find((w) => w.properties.title === 'Alarms');

    expect(status?.properties.alarms).toHaveLength(stack.alarms.all.length);
    expect(stack.alarms.all.length).toBeGreaterThanOrEqual(9);
  });

  it('graphs webhooks received, accepted and rejected (summed over every reason) and events enqueued', () => {
    const metrics = graph('Webhooks');

    for (const name of ['WebhooksReceived', 'WebhooksAccepted', 'EventsEnqueued']) {
      expect(metrics).toContain(`"JiraSync","${name}","service","jira-sync"`);
    }
    expect(metrics).toContain(
      `SUM(SEARCH('{JiraSync,reason,service} MetricName=\\"WebhooksRejected\\" service=\\"jira-sync\\"', 'Sum', 300))`,
    );
  });

  it('graphs queue depth with the dead-letter queue, and the age of the oldest event', () => {
    const { stack } = sharedStack();

    expect(graph('Queue depth')).toContain('ApproximateNumberOfMessagesVisible');
    expect(graph('Queue depth')).toContain(`\${${logicalId(stack.queue.deadLetterQueue)}.QueueName}`);
    expect(graph('Oldest queued event (s)')).toContain('ApproximateAgeOfOldestMessage');
  });

  it('graphs reconciles, Jira writes, conflicts and sync lag p50/p99', () => {
    expect(graph('Reconciles and Jira writes')).toMatch(/Reconciles.*JiraWrites.*Retries.*DeadLettered/);
    expect(graph('Conflicts')).toContain('"Conflicts"');
    const lag = graph('Sync lag (ms, webhook received → written)');
    expect(lag).toContain('"stat":"p50"');
    expect(lag).toContain('"stat":"p99"');
  });

  it('graphs the sweep and the errors and throttles of every function', () => {
    expect(graph('Sweep')).toMatch(/SweepEnqueued.*SweepFailures/);
    expect(graph('Function errors and throttles')).toMatch(/worker errors.*sweep throttles/);
  });

  it('outputs a console link to the dashboard in the stack region', () => {
    const { template, stack } = sharedStack();
    const output = template.toJSON().Outputs.DashboardUrl as { Value: unknown };

    expect(flatten(output.Value)).toBe(
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=\${${logicalId(stack.dashboard.dashboard)}}`,
    );
  });
});
