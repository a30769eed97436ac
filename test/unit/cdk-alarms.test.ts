import { describe, expect, it } from 'vitest';
import { cfnProperties, logicalId, sharedStack } from './cdk-test-stack.ts';

describe('SyncAlarms', () => {
  it('encrypts the alarm topic with a rotating customer key that CloudWatch may use', () => {
    const { template, stack } = sharedStack();
    const key = stack.alarms.topicKey;
    const keyPolicy = JSON.stringify(cfnProperties(template, key).KeyPolicy);

    expect(cfnProperties(template, stack.alarmTopic)).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
    });
    expect(cfnProperties(template, key).EnableKeyRotation).toBe(true);
    expect(keyPolicy).toContain('cloudwatch.amazonaws.com');
  });

  it("refuses non-TLS publishing and lets only this account's alarms publish", () => {
    const { template } = sharedStack();
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const statements = policy?.Properties.PolicyDocument.Statement as object[];

    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
      }),
    );
  });

  const alarms = [
    {
      name: 'dead-letter messages',
      alarm: () => sharedStack().stack.alarms.deadLetterMessages,
      metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' },
      on: () => ({ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq(), 'QueueName'] } }),
      threshold: { Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' },
    },
    {
      name: 'oldest message age',
      alarm: () => sharedStack().stack.alarms.oldestMessageAge,
      metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage' },
      on: () => ({ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue(), 'QueueName'] } }),
      threshold: { Threshold: 900, ComparisonOperator: 'GreaterThanThreshold' },
    },
    {
      name: 'worker errors',
      alarm: () => sharedStack().stack.alarms.workerErrors,
      metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum' },
      on: () => ({ Name: 'FunctionName', Value: { Ref: logicalId(sharedStack().stack.worker.handler) } }),
      threshold: { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' },
    },
    {
      name: 'ingest 5xx',
      alarm: () => sharedStack().stack.alarms.ingestServerErrors,
      metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Statistic: 'Sum' },
      on: () => ({ Name: 'ApiId', Value: { Ref: logicalId(sharedStack().stack.ingest.api) } }),
      threshold: { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' },
    },
  ];

  const newer = [
    {
      name: 'worker throttles',
      alarm: () => sharedStack().stack.alarms.workerThrottles,
      metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Statistic: 'Sum', Period: 300 },
      on: () => ({ Name: 'FunctionName', Value: { Ref: logicalId(sharedStack().stack.worker.handler) } }),
      threshold: { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 },
    },
    {
      name: 'ingest throttles',
      alarm: () => sharedStack().stack.alarms.ingestThrottles,
      metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Statistic: 'Sum', Period: 300 },
      on: () => ({ Name: 'FunctionName', Value: { Ref: logicalId(sharedStack().stack.ingest.handler) } }),
      threshold: { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 },
    },
    {
      name: 'flow sweeps failing two runs in a row',
      alarm: () => sharedStack().stack.alarms.sweepFailures,
      metric: { Namespace: 'JiraSync', MetricName: 'SweepFailures', Statistic: 'Sum', Period: 300 },
      on: () => ({ Name: 'service', Value: 'jira-sync' }),
      threshold: { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2 },
    },
    {
      name: 'the sweep function failing two runs in a row',
      alarm: () => sharedStack().stack.alarms.sweepErrors,
      metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 300 },
      on: () => ({ Name: 'FunctionName', Value: { Ref: logicalId(sharedStack().stack.sweep.handler) } }),
      threshold: { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2 },
    },
    {
      name: 'webhook registration failures',
      alarm: () => sharedStack().stack.alarms.registrationFailures,
      metric: { Namespace: 'JiraSync', MetricName: 'WebhookRegistrationFailures', Statistic: 'Sum' },
      on: () => ({ Name: 'service', Value: 'jira-sync' }),
      threshold: { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 },
    },
  ];

  it.each([...alarms, ...newer])('alarms on $name and notifies the topic', (a) => {
    const { template, stack } = sharedStack();
    const topicRef = { Ref: logicalId(stack.alarmTopic) };

    const alarm = a.alarm();
    if (!alarm) throw new Error(`no alarm for ${a.name}`);

    expect(cfnProperties(template, alarm)).toMatchObject({
      ...a.metric,
      ...a.threshold,
      Dimensions: [a.on()],
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  it('outputs the alarm topic ARN', () => {
    const { template, stack } = sharedStack();

    template.hasOutput('AlarmTopicArn', { Value: { Ref: logicalId(stack.alarmTopic) } });
  });
});

function dlq(): string {
  return logicalId(sharedStack().stack.queue.deadLetterQueue);
}

function queue(): string {
  return logicalId(sharedStack().stack.queue.queue);
}
