import { describe, expect, it } from 'vitest';
import { cfnProperties, logicalId, sharedStack } from './cdk-test-stack.ts';

describe('SyncQueue in the stack', () => {
  it('is a high-throughput FIFO queue with SSE-SQS and a redrive after 5 receives', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.queue.queue)).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.queue.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
  });

  it('sends failed messages to a FIFO dead-letter queue with SSE-SQS kept 14 days', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.queue.deadLetterQueue)).toMatchObject({
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('keeps the visibility timeout at least 6 x the worker timeout', () => {
    const { template, stack } = sharedStack();
    const workerTimeout = cfnProperties(template, stack.worker.handler).Timeout;

    expect(workerTimeout).toBe(60);
    expect(cfnProperties(template, stack.queue.queue).VisibilityTimeout).toBe(6 * 60);
  });

  it('refuses non-TLS requests on both queues', () => {
    const { template, stack } = sharedStack();
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const queues = [stack.queue.queue, stack.queue.deadLetterQueue].map((q) => logicalId(q)).sort();

    expect(policies.map((p) => p.Properties.Queues[0].Ref).sort()).toEqual(queues);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Principal: { AWS: '*' },
        }),
      );
    }
  });
});
