import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../local/local-log.ts';
import type { BatchOutcome } from '../../local/sqs-poller.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { signBody } from '../../shared/webhook/signature.ts';
import { demoConnectionsOnly } from '../helpers/configs.ts';
import { waitFor } from '../helpers/wait.ts';

// The real ingest and worker handlers behind real HTTP, fauxqs and the local Secrets Manager: what Jira
// would meet. One stack per file: the handlers read their environment once, at import, as in Lambda.
const FIXTURES = fileURLToPath(new URL('../fixtures/webhooks/', import.meta.url));
const HMAC_SECRET = 'ingest-http-hmac-7Fq2';
const ROTATED_SECRET = 'ingest-http-rotated-9Kd4';
const URL_TOKEN = 'ingest-http-url-token-3Jx8';
const SECRETS = [HMAC_SECRET, ROTATED_SECRET, URL_TOKEN];

describe('webhook ingest over HTTP with SQS', () => {
  let stateDir: string;
  let stack: LocalStack;
  let sqs: SQSClient;
  const batches: BatchOutcome[] = [];
  const output: string[] = [];
  const originalWrite = process.stdout.write.bind(process.stdout);
  const originalErrWrite = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    // Capture everything the handlers log, to prove no secret reaches a log line.
    const capture = (chunk: unknown) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-ingest-http-'));
    stack = await startLocalStack({
      configPath: demoConnectionsOnly(),
      port: 0,
      stateDir,
      secretsSeed: {
        always: { 'jira-sync/demo-cloud/webhook': HMAC_SECRET, 'jira-sync/demo-dc/webhook': URL_TOKEN },
      },
      log: silentLog,
      onWorkerBatch: (outcome) => batches.push(outcome),
    });
    sqs = new SQSClient({
      endpoint: stack.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    sqs?.destroy();
    process.stdout.write = originalWrite;
    process.stderr.write = originalErrWrite;
    delete process.env.POWERTOOLS_LOG_LEVEL;
    await rm(stateDir, { recursive: true, force: true });
  });

  /** Events the worker handler logged as received, parsed from its JSON log lines. */
  function received(): { webhookId: string; issueId?: string }[] {
    return output
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"sync event received"'))
      .map((line) => JSON.parse(line) as { webhookId: string; issueId?: string });
  }

  async function post(
    connectionId: string,
    body: string | Uint8Array,
    headers: Record<string, string>,
    query = '',
  ): Promise<Response> {
    return fetch(`${stack.webhookUrl(connectionId)}${query}`, { method: 'POST', headers, body });
  }

  function signed(body: string, webhookId: string, secret = HMAC_SECRET): Record<string, string> {
    return {
      'content-type': 'application/json; charset=UTF-8',
      'x-atlassian-webhook-identifier': webhookId,
      'x-hub-signature': signBody('sha256', secret, new TextEncoder().encode(body)),
    };
  }

  async function fixture(name: string): Promise<string> {
    const { readFile } = await import('node:fs/promises');
    return readFile(join(FIXTURES, name), 'utf8');
  }

  async function queueDepth(): Promise<number> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  }

  it('delivers a signed Cloud webhook to the worker as a valid SyncEvent', async () => {
    const body = await fixture('cloud-issue-updated.json');
    const res = await post('demo-cloud', body, signed(body, 'http-1'));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    await waitFor(() => received().some((e) => e.webhookId === 'http-1'), 'the worker');
    expect(received().find((e) => e.webhookId === 'http-1')?.issueId).toBe('10002');
  });

  it('accepts a rotated secret at once (refetch on mismatch) and the previous value during the rotation', async () => {
    const secrets = new SecretsManagerClient({
      endpoint: stack.secretsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await secrets.send(
      new PutSecretValueCommand({
        SecretId: 'jira-sync/demo-cloud/webhook',
        SecretString: JSON.stringify({ current: ROTATED_SECRET, previous: HMAC_SECRET }),
      }),
    );
    secrets.destroy();
    const body = await fixture('cloud-worklog-created.json');
    const res = await post('demo-cloud', body, signed(body, 'http-rotated', ROTATED_SECRET));
    expect(res.status).toBe(202);
    const old = await post('demo-cloud', body, signed(body, 'http-rotated-old', HMAC_SECRET));
    expect(old.status).toBe(202);
  });

  it('collapses a retried delivery (same X-Atlassian-Webhook-Identifier) into one event', async () => {
    const body = await fixture('cloud-comment-created.json');
    const first = await post('demo-cloud', body, signed(body, 'http-dup'));
    const retry = await post('demo-cloud', body, {
      ...signed(body, 'http-dup'),
      'x-atlassian-webhook-retry': '1',
    });
    expect([first.status, retry.status]).toEqual([202, 202]);
    // A later, distinct delivery proves the worker has drained everything sent before it.
    const marker = await fixture('cloud-issue-assigned-empty-changelog.json');
    await post('demo-cloud', marker, signed(marker, 'http-dup-marker'));
    await waitFor(() => received().some((e) => e.webhookId === 'http-dup-marker'), 'the marker');
    expect(received().filter((e) => e.webhookId === 'http-dup')).toHaveLength(1);
  });

  it('collapses Data Center re-deliveries of the same body (no identifier header)', async () => {
    const body = await fixture('dc-issue-updated.json');
    const headers = { 'content-type': 'application/json' };
    for (let i = 0; i < 3; i++) {
      expect((await post('demo-dc', body, headers, `?token=${URL_TOKEN}`)).status).toBe(202);
    }
    await waitFor(() => received().some((e) => e.webhookId.startsWith('sha256:')), 'the DC event');
    const marker = await fixture('dc-issue-created.json');
    await post('demo-dc', marker, headers, `?token=${URL_TOKEN}`);
    await waitFor(
      () => received().filter((e) => e.webhookId.startsWith('sha256:')).length >= 2,
      'the marker',
    );
    expect(received().filter((e) => e.issueId === '10412').length).toBe(2);
  });

  it('answers 401, 400, 404, 413 and 415 and enqueues nothing', async () => {
    // Start from an idle queue: earlier tests' events may still be in flight to the worker.
    for (let i = 0; i < 200 && (await queueDepth()) > 0; i++) await new Promise((r) => setTimeout(r, 25));
    const before = await queueDepth();
    expect(before).toBe(0);
    const body = await fixture('cloud-issue-updated.json');
    const cases: [Promise<Response>, number][] = [
      [post('demo-cloud', body, signed(body, 'bad-1', 'wrong secret')), 401],
      [post('demo-cloud', body, { 'content-type': 'application/json' }), 401],
      [post('demo-dc', body, { 'content-type': 'application/json' }, '?token=guess'), 401],
      [post('demo-cloud', '{"webhookEvent":', signed('{"webhookEvent":', 'bad-2')), 400],
      [post('demo-cloud', '{"hello":"world"}', signed('{"hello":"world"}', 'bad-3')), 400],
      [post('nope', body, signed(body, 'bad-4')), 404],
      [post('demo-cloud', 'x'.repeat(1024 * 1024 + 1), signed('x'.repeat(1024 * 1024 + 1), 'bad-5')), 413],
      [
        post('demo-cloud', '<xml/>', { ...signed('<xml/>', 'bad-6'), 'content-type': 'application/xml' }),
        415,
      ],
    ];
    for (const [response, status] of cases) {
      const res = await response;
      expect(res.status).toBe(status);
      const json = (await res.json()) as { message: string };
      expect(json.message.length).toBeLessThan(120);
    }
    expect(await queueDepth()).toBe(before);
    expect(received().some((e) => e.webhookId.startsWith('bad-'))).toBe(false);
  });

  it('answers 202 without queueing for events that concern no issue', async () => {
    const body = await fixture('cloud-project-created.json');
    const res = await post('demo-cloud', body, signed(body, 'http-project'));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ignored: 'no-issue' });
  });

  it('drops the integration account own changes (loop prevention)', async () => {
    // In the demo config the integration account is 5b10ac8d82e05b22cc7d4ef5, the actor of this fixture.
    const body = await fixture('cloud-issue-created.json');
    const res = await post('demo-cloud', body, signed(body, 'http-own'));
    expect(await res.json()).toEqual({ ignored: 'own-change' });
  });

  it('answers 503 while SQS is unreachable and loses nothing once it is back', async () => {
    const body = await fixture('cloud-issuelink-created.json');
    const outage = await stack.sqsOutage();
    let during: Response;
    try {
      during = await post('demo-cloud', body, signed(body, 'http-outage'));
    } finally {
      await outage.end();
    }
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(received().some((e) => e.webhookId === 'http-outage')).toBe(false);
    // Jira retries a 503 with the same identifier; now both linked issues arrive, once each.
    const retry = await post('demo-cloud', body, {
      ...signed(body, 'http-outage'),
      'x-atlassian-webhook-retry': '1',
    });
    expect(retry.status).toBe(202);
    await waitFor(() => received().filter((e) => e.webhookId === 'http-outage').length === 2, 'both issues');
    expect(
      received()
        .filter((e) => e.webhookId === 'http-outage')
        .map((e) => e.issueId)
        .sort(),
    ).toEqual(['10002', '10020']);
  });

  it('only ever hands the worker valid SyncEvents (the worker parses each one)', () => {
    expect(received().length).toBeGreaterThan(5);
    expect(batches.every((b) => b.failed.length === 0 && b.batchFailure === undefined)).toBe(true);
  });

  it('never writes a secret or token to a log line', () => {
    const text = output.join('');
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of SECRETS) expect(text.includes(secret)).toBe(false);
  });
});
