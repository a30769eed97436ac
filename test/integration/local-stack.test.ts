import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStackStartError } from '../../local/local-errors.ts';
import { silentLog } from '../../local/local-log.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { secretsManagerClient, sqsClient } from '../../shared/aws/clients.ts';
import { requireEnv } from '../../shared/aws/env.ts';
import { ConfigError } from '../../shared/config/config-error.ts';
import { loadConfig } from '../../shared/config/current.ts';
import { waitFor } from '../helpers/wait.ts';

const DEMO_CONFIG = fileURLToPath(new URL('../../local/demo.config.yaml', import.meta.url));

describe('startLocalStack', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;
  let received: SQSRecord[];

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-stack-'));
    received = [];
  });

  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
    await rm(stateDir, { recursive: true, force: true });
  });

  const options = (overrides: Partial<LocalStackOptions> = {}): LocalStackOptions => ({
    configPath: DEMO_CONFIG,
    port: 0,
    stateDir,
    log: silentLog,
    secretsSeed: { always: { 'jira-sync/demo-cloud/webhook': 'stack-test-secret' } },
    handlers: {
      // Stand-ins for the real handlers that use the same shared clients and environment.
      ingest: async (event) => {
        const { SecretString } = await secretsManagerClient().send(
          new GetSecretValueCommand({ SecretId: loadConfig().connections[0]?.webhook.secret }),
        );
        await sqsClient().send(
          new SendMessageCommand({
            QueueUrl: requireEnv('JIRA_SYNC_QUEUE_URL'),
            MessageBody: JSON.stringify({
              connectionId: event.pathParameters?.connectionId,
              secretSeen: SecretString,
            }),
            MessageGroupId: `${event.pathParameters?.connectionId}:10001`,
            MessageDeduplicationId: event.headers['x-atlassian-webhook-identifier'] ?? 'none',
          }),
        );
        return { statusCode: 202, body: '' };
      },
      worker: async (event) => {
        received.push(...event.Records);
        return { batchItemFailures: [] };
      },
    },
    ...overrides,
  });

  it('runs a webhook through API Gateway, the shared AWS clients, SQS and the worker', async () => {
    stack = await startLocalStack(options());

    const res = await fetch(stack.webhookUrl('demo-cloud'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-atlassian-webhook-identifier': 'wh-1' },
      body: '{}',
    });
    await waitFor(() => received.length === 1);

    expect(res.status).toBe(202);
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({
      connectionId: 'demo-cloud',
      secretSeen: 'stack-test-secret',
    });
    expect(received[0]?.eventSourceARN).toBe(stack.queueArn);
    expect(stack.handlerSources).toEqual({ ingest: 'injected', worker: 'injected' });
  });

  it('sets the handler environment while running and restores it on stop', async () => {
    const before = process.env.AWS_ENDPOINT_URL_SQS;
    stack = await startLocalStack(options());

    expect(process.env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SQS: stack.sqsEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: stack.secretsEndpoint,
      JIRA_SYNC_QUEUE_URL: stack.queueUrl,
      JIRA_SYNC_CONFIG: DEMO_CONFIG,
      POWERTOOLS_SERVICE_NAME: 'jira-sync',
      POWERTOOLS_METRICS_NAMESPACE: 'JiraSync',
    });
    for (const url of [stack.apiUrl, stack.sqsEndpoint, stack.secretsEndpoint]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    await stack.stop();

    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(before);
  });

  it('starts and stops twice in a row on the same port', async () => {
    const first = await startLocalStack(options());
    const port = first.port;
    await first.stop();
    await first.stop();

    const second = await startLocalStack(options({ port }));
    const health = await fetch(`${second.apiUrl}/healthz`);
    await second.stop();
    const third = await startLocalStack(options({ port }));
    stack = third;

    expect(second.port).toBe(port);
    expect(health.status).toBe(200);
    expect(third.port).toBe(port);
  });

  it('refuses a second stack in the same process', async () => {
    stack = await startLocalStack(options());

    await expect(startLocalStack(options())).rejects.toBeInstanceOf(LocalStackStartError);
  });

  it('fails with the ConfigError for a bad config and leaves nothing running', async () => {
    const bad = join(stateDir, 'bad.yaml');
    await writeFile(bad, 'connections: []\n');

    await expect(startLocalStack(options({ configPath: bad }))).rejects.toBeInstanceOf(ConfigError);
    stack = await startLocalStack(options());
  });

  it('names the port when it is already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const error = await startLocalStack(options({ port })).catch((e: unknown) => e);
    await new Promise((r) => blocker.close(r));

    expect(error).toBeInstanceOf(LocalStackStartError);
    expect((error as Error).message).toContain(`127.0.0.1:${port} is already in use`);
  });

  it('reports config secrets missing from the local store', async () => {
    stack = await startLocalStack(options({ secretsSeed: {} }));

    expect(stack.missingSecrets).toEqual([
      'jira-sync/demo-cloud/auth',
      'jira-sync/demo-cloud/webhook',
      'jira-sync/demo-dc/auth',
      'jira-sync/demo-dc/webhook',
    ]);
  });
});
