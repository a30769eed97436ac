import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DLQ_NAME, type FauxqsServer, QUEUE_NAME, startFauxqsServer } from '../../local/fauxqs-server.ts';

describe('fauxqs in-process', () => {
  let sqs: FauxqsServer;
  let client: SQSClient;
  let group = 0;
  let groupId: string;

  beforeAll(async () => {
    sqs = await startFauxqsServer({ maxReceiveCount: 3 });
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });

  beforeEach(() => {
    group += 1;
    groupId = `demo-cloud:${10000 + group}`;
  });

  const send = (body: string, dedupId: string) =>
    client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl,
        MessageBody: body,
        MessageGroupId: groupId,
        MessageDeduplicationId: dedupId,
      }),
    );

  const receive = (queueUrl: string, visibilityTimeout?: number) =>
    client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        ...(visibilityTimeout === undefined ? {} : { VisibilityTimeout: visibilityTimeout }),
      }),
    );

  it('listens on 127.0.0.1 and serves queue URLs with the endpoint as origin', () => {
    expect(sqs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sqs.queueUrl).toBe(`${sqs.endpoint}/000000000000/${QUEUE_NAME}`);
    expect(sqs.dlqUrl).toBe(`${sqs.endpoint}/000000000000/${DLQ_NAME}`);
  });

  it('creates the FIFO queue with the jira-sync attributes and a redrive policy to the FIFO DLQ', async () => {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: sqs.queueUrl, AttributeNames: ['All'] }),
    );

    expect(Attributes).toMatchObject({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      VisibilityTimeout: '30',
    });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: sqs.dlqArn,
      maxReceiveCount: 3,
    });
  });

  it('drops a second send with the same deduplication id within the 5-minute window', async () => {
    const first = await send('{"n":1}', 'webhook-1');
    const second = await send('{"n":2}', 'webhook-1');

    const { Messages } = await receive(sqs.queueUrl);
    const mine = (Messages ?? []).filter((m) => m.Attributes?.MessageGroupId === groupId);

    expect(second.MessageId).toBe(first.MessageId);
    expect(mine.map((m) => m.Body)).toEqual(['{"n":1}']);
  });

  it('moves a message to the DLQ on the receive after maxReceiveCount receives', async () => {
    await send('{"poison":true}', 'poison-1');

    const counts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { Messages } = await receive(sqs.queueUrl, 0);
      const mine = (Messages ?? []).find((m) => m.Attributes?.MessageGroupId === groupId);
      counts.push(mine?.Attributes?.ApproximateReceiveCount ?? 'none');
    }
    const fourth = await receive(sqs.queueUrl, 0);
    const dead = await receive(sqs.dlqUrl);

    expect(counts).toEqual(['1', '2', '3']);
    expect((fourth.Messages ?? []).filter((m) => m.Attributes?.MessageGroupId === groupId)).toEqual([]);
    expect(dead.Messages?.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([
      ['{"poison":true}', groupId],
    ]);
  });
});
