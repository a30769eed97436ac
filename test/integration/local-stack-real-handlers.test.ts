import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Message, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../local/local-log.ts';
import { hubSignature, sampleIssueUpdated } from '../../local/sample-webhook.ts';
import type { BatchOutcome } from '../../local/sqs-poller.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { demoConnectionsOnly } from '../helpers/configs.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'real-handlers-test-secret';
const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } as const;

// One stack for the file: the real handlers read their environment once, at import (as in Lambda).
describe('local stack with the real handlers', () => {
  let stateDir: string;
  let stack: LocalStack;
  const batches: BatchOutcome[] = [];
  const saved = Object.fromEntries(Object.keys(QUIET).map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    Object.assign(process.env, QUIET);
    stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-real-'));
    stack = await startLocalStack({
      configPath: demoConnectionsOnly(),
      port: 0,
      stateDir,
      secretsSeed: {
        always: { 'jira-sync/demo-cloud/webhook': SECRET, 'jira-sync/demo-dc/webhook': SECRET },
      },
      log: silentLog,
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 2,
      onWorkerBatch: (outcome) => batches.push(outcome),
    });
  });

  afterAll(async () => {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const cloud = () => {
    const connection = stack.config.connections.find((c) => c.id === 'demo-cloud');
    if (!connection) throw new Error('demo-cloud missing from the demo config');
    return connection;
  };

  it('loads the handlers from functions/', () => {
    expect(stack.handlerSources).toEqual({ ingest: 'functions', worker: 'functions' });
  });

  it('accepts the banner-style signed webhook and the worker consumes the event', async () => {
    const body = sampleIssueUpdated(cloud());

    const res = await fetch(stack.webhookUrl('demo-cloud'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-atlassian-webhook-identifier': 'real-handlers-1',
        'x-hub-signature': hubSignature(SECRET, body),
      },
      body,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    await waitFor(() => batches.some((b) => b.deleted === 1));
  });

  it('accepts the demo-dc webhook with the URL token', async () => {
    const connection = stack.config.connections.find((c) => c.id === 'demo-dc');
    if (!connection) throw new Error('demo-dc missing from the demo config');

    const res = await fetch(`${stack.webhookUrl('demo-dc')}?token=${SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sampleIssueUpdated(connection),
    });

    expect(res.status).toBe(202);
  });

  it('refuses a wrong signature with 401', async () => {
    const body = sampleIssueUpdated(cloud());

    const res = await fetch(stack.webhookUrl('demo-cloud'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': hubSignature('wrong', body) },
      body,
    });

    expect(res.status).toBe(401);
  });

  it('dead-letters a record the worker cannot parse at once, with the reason attached', async () => {
    const client = new SQSClient({
      endpoint: stack.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await client.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrl,
        MessageBody: 'not a sync event',
        MessageGroupId: 'demo-cloud:99999',
        MessageDeduplicationId: 'poison-1',
      }),
    );

    let dead: Message[] = [];
    const until = Date.now() + 8000;
    while (dead.length === 0 && Date.now() < until) {
      const { Messages } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.dlqUrl,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      dead = Messages ?? [];
    }
    client.destroy();

    expect(dead.map((m) => m.Body)).toEqual(['not a sync event']);
    expect(dead[0]?.MessageAttributes?.errorCode?.StringValue).toBe('INVALID_SYNC_RECORD');
    expect(dead[0]?.MessageAttributes?.errorMessage?.StringValue).toContain('body is not JSON');
    // A record that can never succeed is not retried: it left the queue on its first receive.
    expect(batches.some((b) => b.failed.length > 0)).toBe(false);
  });
});
