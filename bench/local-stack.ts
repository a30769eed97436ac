import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqsServer } from '../local/fauxqs-server.ts';
import { startSecretsManagerServer } from '../local/secrets-manager-server.ts';

export const CONNECTION_ID = 'bench';
export const CONFIG_FILE = fileURLToPath(new URL('./bench-config.yaml', import.meta.url));
export const OUT_DIR = fileURLToPath(new URL('./out/', import.meta.url));
const WEBHOOK_SECRET_NAME = 'jira-sync/bench/webhook';

/** Powertools output is switched off so the bench measures the handler, not terminal writes. */
export const SILENCED_OUTPUT = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
} as const;

/** What both handlers read at import time; endpoints are the only difference from a deployed function. */
export function handlerEnvironment(endpoints: {
  sqs: string;
  secretsManager: string;
  queueUrl: string;
}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    JIRA_SYNC_QUEUE_URL: endpoints.queueUrl,
    POWERTOOLS_METRICS_NAMESPACE: 'JiraSync',
    POWERTOOLS_SERVICE_NAME: 'jira-sync',
    ...SILENCED_OUTPUT,
  };
}

export interface BenchStack {
  readonly webhookSecret: string;
  readonly queueUrl: string;
  readonly env: Record<string, string>;
  /** Empties the queue between blocks, outside any timing, so memory use stays flat across rounds. */
  purge(): Promise<void>;
  /** Messages accepted since the last purge: a check that every timed call really enqueued. */
  depth(): Promise<number>;
  stop(): Promise<void>;
}

/** fauxqs and the local Secrets Manager, both in this process and on 127.0.0.1 only. */
export async function startBenchStack(): Promise<BenchStack> {
  await mkdir(OUT_DIR, { recursive: true });
  const webhookSecret = randomBytes(24).toString('hex');
  const secretsFile = `${OUT_DIR}secrets.json`;
  const sqs = await startFauxqsServer();
  const secrets = await startSecretsManagerServer({
    file: secretsFile,
    seed: { always: { [WEBHOOK_SECRET_NAME]: webhookSecret } },
  }).catch(async (error: unknown) => {
    await sqs.stop();
    throw error;
  });
  const admin = new SQSClient({
    endpoint: sqs.endpoint,
    region: sqs.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    webhookSecret,
    queueUrl: sqs.queueUrl,
    env: handlerEnvironment({ sqs: sqs.endpoint, secretsManager: secrets.url, queueUrl: sqs.queueUrl }),
    purge: async () => {
      await admin.send(new PurgeQueueCommand({ QueueUrl: sqs.queueUrl }));
    },
    depth: async () => {
      const out = await admin.send(
        new GetQueueAttributesCommand({
          QueueUrl: sqs.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? Number.NaN);
    },
    stop: async () => {
      admin.destroy();
      await Promise.all([sqs.stop(), secrets.stop()]);
      await rm(secretsFile, { force: true });
    },
  };
}
