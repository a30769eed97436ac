import { describe, expect, it } from 'vitest';
import { cfnProperties, logicalId, sharedStack } from './cdk-test-stack.ts';

function required<T>(value: T | undefined): T {
  if (value === undefined)
    throw new Error('the fixture config has an OAuth connection and registers webhooks');
  return value;
}

describe('Lambda functions', () => {
  const cases = [
    { name: 'webhook-ingest', fn: () => sharedStack().stack.ingest.handler, timeout: 10, memory: 256 },
    { name: 'sync-worker', fn: () => sharedStack().stack.worker.handler, timeout: 60, memory: 512 },
    { name: 'oauth', fn: () => required(sharedStack().stack.oauth).handler, timeout: 20, memory: 256 },
    { name: 'sweep', fn: () => sharedStack().stack.sweep.handler, timeout: 300, memory: 512 },
    {
      name: 'webhook-registrar',
      fn: () => required(sharedStack().stack.registrar).handler,
      timeout: 300,
      memory: 256,
    },
  ];

  it.each(cases)('$name runs Node.js 24 on arm64 with X-Ray, $timeout s and $memory MB', (c) => {
    const { template } = sharedStack();

    expect(cfnProperties(template, c.fn())).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Timeout: c.timeout,
      MemorySize: c.memory,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'jira-sync',
          POWERTOOLS_METRICS_NAMESPACE: 'JiraSync',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
  });

  it.each(cases)('$name logs to its own log group kept one month', (c) => {
    const { template } = sharedStack();
    const props = cfnProperties(template, c.fn()) as { LoggingConfig: { LogGroup: { Ref: string } } };
    const logGroupId = props.LoggingConfig.LogGroup.Ref;

    expect(template.toJSON().Resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
  });

  it.each(cases)('$name has a role without AWS managed policies', (c) => {
    const { template } = sharedStack();
    const role = c.fn().role;
    if (!role) throw new Error('function without role');

    expect(cfnProperties(template, role).ManagedPolicyArns).toBeUndefined();
  });

  it('gives ingest the queue URL', () => {
    const { template, stack } = sharedStack();
    const env = (cfnProperties(template, stack.ingest.handler) as { Environment: { Variables: object } })
      .Environment.Variables;

    expect(env).toMatchObject({ JIRA_SYNC_QUEUE_URL: { Ref: logicalId(stack.queue.queue) } });
  });

  it('gives the worker its table, queue, dead-letter queue and the redrive limit', () => {
    const { template, stack } = sharedStack();
    const env = (cfnProperties(template, stack.worker.handler) as { Environment: { Variables: object } })
      .Environment.Variables;

    expect(env).toMatchObject({
      JIRA_SYNC_STATE_TABLE: { Ref: logicalId(stack.stateTable.table) },
      JIRA_SYNC_QUEUE_URL: { Ref: logicalId(stack.queue.queue) },
      JIRA_SYNC_DLQ_URL: { Ref: logicalId(stack.queue.deadLetterQueue) },
      JIRA_SYNC_MAX_RECEIVE_COUNT: '5',
    });
    expect(cfnProperties(template, stack.queue.queue)).toMatchObject({
      RedrivePolicy: { maxReceiveCount: 5 },
    });
  });

  it('feeds the worker in batches of 10, at most 5 at once, with partial batch failures', () => {
    const { template, stack } = sharedStack();

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.queue.queue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.worker.handler) },
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('sets no reserved concurrency on the worker (the event source limits concurrency)', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.worker.handler).ReservedConcurrentExecutions).toBeUndefined();
  });
});
