import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SyncQueue } from '../../cdk/constructs/sync-queue.ts';
import { SyncStateTable } from '../../cdk/constructs/sync-state-table.ts';
import { SyncSweep } from '../../cdk/constructs/sync-sweep.ts';
import { WebhookRegistrar } from '../../cdk/constructs/webhook-registrar.ts';
import { ADMIN_WEBHOOK_EVENTS } from '../../shared/registrar/plan.ts';
import { buildStack, cfnProperties, logicalId, sharedStack, testApp } from './cdk-test-stack.ts';

const bundledConfig = { source: 'test.yaml', document: {} };

function registrar() {
  const found = sharedStack().stack.registrar;
  if (!found) throw new Error('the fixture registers webhooks');
  return found;
}

describe('SyncSweep', () => {
  it('runs every 5 minutes on an EventBridge schedule', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.sweep.schedule)).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [logicalId(stack.sweep.handler), 'Arn'] } })],
    });
  });

  it('gives the sweep the queue URL and does not retry a failed run (the next run covers it)', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.sweep.handler)).toMatchObject({
      Timeout: 300,
      Environment: { Variables: { JIRA_SYNC_QUEUE_URL: { Ref: logicalId(stack.queue.queue) } } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack.sweep.handler) },
      MaximumRetryAttempts: 0,
    });
  });

  function sweep(props: { interval?: Duration; timeout?: Duration }) {
    const stack = new Stack(testApp(), 'S');
    const queue = new SyncQueue(stack, 'Queue');
    const stateTable = new SyncStateTable(stack, 'State');
    return new SyncSweep(stack, 'Sweep', {
      queue: queue.queue,
      stateTable,
      bundledConfig,
      authSecrets: [],
      ...props,
    });
  }

  it('takes another interval and shortens its timeout to it', () => {
    const made = sweep({ interval: Duration.minutes(2) });
    const template = Template.fromStack(Stack.of(made));

    expect(cfnProperties(template, made.schedule).ScheduleExpression).toBe('rate(2 minutes)');
    expect(cfnProperties(template, made.handler).Timeout).toBe(120);
  });

  it.each([Duration.seconds(30), Duration.seconds(90), Duration.days(2)])(
    'rejects the interval %s',
    (interval) => {
      expect(() => sweep({ interval })).toThrow(
        /S\/Sweep: interval must be whole minutes from 1 minute to 1 day/,
      );
    },
  );

  it('rejects a timeout longer than the interval (runs would overlap)', () => {
    expect(() => sweep({ interval: Duration.minutes(5), timeout: Duration.minutes(6) })).toThrow(
      'S/Sweep: timeout (360 s) must not exceed the interval (300 s), or sweeps overlap',
    );
  });
});

describe('WebhookRegistrar', () => {
  it('runs on deploy as a custom resource of the CDK Provider framework', () => {
    const { template } = sharedStack();
    const r = registrar();

    expect(cfnProperties(template, r.customResource)).toMatchObject({
      ServiceToken: {
        'Fn::GetAtt': [logicalId(r.provider.node.findChild('framework-onEvent')), 'Arn'],
      },
    });
    expect(template.toJSON().Resources[logicalId(r.customResource)].Type).toBe('Custom::JiraSyncWebhooks');
  });

  it('re-runs when what is registered changes: the plan is part of the resource properties', () => {
    const { template } = sharedStack();
    const props = cfnProperties(template, registrar().customResource) as { Registrations: string };

    expect(JSON.parse(props.Registrations)).toEqual([
      {
        connectionId: 'acme-cloud',
        mode: 'admin',
        events: [...ADMIN_WEBHOOK_EVENTS],
        jql: 'project IN ("HELP", "OPS")',
      },
      {
        connectionId: 'acme-dc',
        mode: 'admin',
        events: [...ADMIN_WEBHOOK_EVENTS],
        jql: 'project IN ("ENG")',
      },
      {
        connectionId: 'acme-oauth',
        mode: 'dynamic',
        events: expect.arrayContaining(['jira:issue_updated', 'comment_created']),
        jql: 'project IN ("APP")',
      },
    ]);
  });

  it('gives the function the API URL the webhook URLs are built from', () => {
    const { template, stack } = sharedStack();
    const env = (cfnProperties(template, registrar().handler) as { Environment: { Variables: object } })
      .Environment.Variables as Record<string, unknown>;

    expect(JSON.stringify(env.JIRA_SYNC_API_URL)).toContain(logicalId(stack.ingest.api));
  });

  it('refreshes every 20 days on a schedule, well inside the 30-day life of dynamic webhooks', () => {
    const { template } = sharedStack();
    const r = registrar();
    const rule = cfnProperties(template, r.schedule) as {
      ScheduleExpression: string;
      Targets: { Input: string }[];
    };

    expect(rule.ScheduleExpression).toBe('rate(20 days)');
    expect(rule.Targets[0]).toMatchObject({ Arn: { 'Fn::GetAtt': [logicalId(r.handler), 'Arn'] } });
    expect(JSON.parse(rule.Targets[0]?.Input ?? '{}')).toEqual({
      source: 'jira-sync.schedule',
      action: 'refresh',
    });
  });

  it('keeps the provider framework logs one month', () => {
    const { template } = sharedStack();
    const logs = registrar().node.findChild('ProviderLogs');
    const framework = registrar().provider.node.findChild('framework-onEvent');

    expect(cfnProperties(template, logs).RetentionInDays).toBe(30);
    expect(cfnProperties(template, framework)).toMatchObject({
      LoggingConfig: { LogGroup: { Ref: logicalId(logs) } },
    });
  });

  it('outputs the registration summary and the function to invoke again', () => {
    const { template } = sharedStack();
    const r = registrar();

    template.hasOutput('WebhookRegistration', {
      Value: { 'Fn::GetAtt': [logicalId(r.customResource), 'Summary'] },
    });
    template.hasOutput('WebhookRegistrarFunction', { Value: { Ref: logicalId(r.handler) } });
  });

  it('is left out when no connection registers webhooks', () => {
    const stack = buildStack(testApp(), 'jira-sync.config.example.yaml');
    const template = Template.fromStack(stack);

    expect(stack.registrar).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::CloudFormation::CustomResource'))).toEqual([]);
    expect(Object.keys(template.findResources('Custom::JiraSyncWebhooks'))).toEqual([]);
  });

  it.each([Duration.hours(12), Duration.days(26)])('rejects a refresh interval of %s', (refreshInterval) => {
    const stack = new Stack(testApp(), 'S');

    expect(
      () =>
        new WebhookRegistrar(stack, 'Registrar', {
          apiUrl: 'https://api.example/',
          registrations: [{ connectionId: 'a', mode: 'admin', events: [], jql: undefined }],
          bundledConfig,
          authSecrets: [],
          webhookSecrets: [],
          refreshInterval,
        }),
    ).toThrow(/S\/Registrar: refreshInterval must be 1 to 25 days/);
  });
});
