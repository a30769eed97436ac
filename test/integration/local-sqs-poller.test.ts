import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FauxqsServer, startFauxqsServer } from '../../local/fauxqs-server.ts';
import { type BatchOutcome, type SqsPoller, startSqsPoller } from '../../local/sqs-poller.ts';
import { waitFor } from '../helpers/wait.ts';

describe('local SQS poller', () => {
  let sqs: FauxqsServer;
  let client: SQSClient;
  let poller: SqsPoller | undefined;
  let records: SQSRecord[];
  let outcomes: BatchOutcome[];
  let errors: string[];

  beforeEach(async () => {
    sqs = await startFauxqsServer({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    records = [];
    outcomes = [];
    errors = [];
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    client.destroy();
    await sqs.stop();
  });

  const start = (handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>) => {
    poller = startSqsPoller({
      client,
      queueUrl: sqs.queueUrl,
      queue: { arn: sqs.queueArn, region: sqs.region },
      handler: async (event) => {
        records.push(...event.Records);
        return handler(event);
      },
      waitTimeSeconds: 1,
      onBatch: (o) => outcomes.push(o),
      onError: (_error, what) => errors.push(what),
    });
  };

  const send = (issueId: string, dedup: string) =>
    client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queueUrl,
        MessageBody: JSON.stringify({ connectionId: 'demo-cloud', issueId }),
        MessageGroupId: `demo-cloud:${issueId}`,
        MessageDeduplicationId: dedup,
        MessageAttributes: { source: { DataType: 'String', StringValue: 'webhook' } },
      }),
    );

  const bodiesOf = (rs: SQSRecord[]) => rs.map((r) => (JSON.parse(r.body) as { issueId: string }).issueId);

  it('hands the worker a Lambda-shaped SQS event', async () => {
    start(async () => undefined);
    const { MessageId } = await send('10001', 'd1');

    await waitFor(() => records.length === 1);

    expect(records[0]).toMatchObject({
      messageId: MessageId,
      receiptHandle: expect.any(String),
      body: '{"connectionId":"demo-cloud","issueId":"10001"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
        SequenceNumber: expect.stringMatching(/^\d+$/),
        MessageGroupId: 'demo-cloud:10001',
        MessageDeduplicationId: 'd1',
      },
      messageAttributes: {
        source: { stringValue: 'webhook', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: sqs.queueArn,
      awsRegion: 'us-east-1',
    });
  });

  it('deletes succeeded records and redelivers the reported failures after the visibility timeout', async () => {
    start(async (event) => ({
      batchItemFailures: event.Records.filter(
        (r) => r.body.includes('"10002"') && r.attributes.ApproximateReceiveCount === '1',
      ).map((r) => ({ itemIdentifier: r.messageId })),
    }));
    await send('10001', 'd1');
    await send('10002', 'd2');

    await waitFor(() => bodiesOf(records).filter((id) => id === '10002').length === 2);

    expect(bodiesOf(records).sort()).toEqual(['10001', '10002', '10002']);
    const retried = records.filter((r) => r.body.includes('"10002"'));
    expect(retried.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    await waitFor(() => outcomes.reduce((n, o) => n + o.deleted, 0) === 2);
  });

  it('fails the whole batch when the handler throws', async () => {
    let calls = 0;
    start(async () => {
      calls += 1;
      if (calls === 1) throw new Error('worker crashed');
      return undefined;
    });
    await send('10001', 'd1');

    await waitFor(() => records.length === 2);

    expect(outcomes[0]).toMatchObject({ deleted: 0, batchFailure: 'handler-threw' });
    expect(records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(errors).toContain('worker handler threw: the whole batch fails');
  });

  it('fails the whole batch when a batchItemFailures id is not in the batch', async () => {
    start(async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }));
    await send('10001', 'd1');

    await waitFor(() => outcomes.length === 1);

    expect(outcomes[0]).toMatchObject({ deleted: 0, batchFailure: 'invalid-response' });
  });

  it('lets the queue move a record that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    start(async (event) => ({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    }));
    const { MessageId } = await send('10003', 'd3');

    const dead = await (async () => {
      const until = Date.now() + 8000;
      while (Date.now() < until) {
        const { Messages } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: sqs.dlqUrl,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (Messages?.length) return Messages;
      }
      return [];
    })();

    expect(dead.map((m) => m.MessageId)).toEqual([MessageId]);
    expect(records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
  });

  it('stops promptly while long-polling', async () => {
    start(async () => undefined);
    await new Promise((r) => setTimeout(r, 100));

    const began = Date.now();
    await poller?.stop();

    expect(Date.now() - began).toBeLessThan(500);
  });
});
