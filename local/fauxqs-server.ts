import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type BuildAppOptions, buildApp } from 'fauxqs';
import { FauxqsIncompatibleError } from './local-errors.ts';

/**
 * fauxqs (real SQS wire protocol, FIFO, DLQ redrive) in-process on 127.0.0.1 only, with the jira-sync
 * queue pair. `startFauxqs()` binds 0.0.0.0, hence `buildApp()` + `listen({ host: '127.0.0.1' })`.
 */

export const QUEUE_NAME = 'jira-sync-events.fifo';
export const DLQ_NAME = 'jira-sync-events-dlq.fifo';

export interface FauxqsServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Seconds a received message stays invisible; AWS default 30. */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before redrive to the DLQ; default 5. */
  readonly maxReceiveCount?: number;
  readonly region?: string;
  readonly queueName?: string;
  readonly dlqName?: string;
}

export interface FauxqsServer {
  /** Use as `AWS_ENDPOINT_URL_SQS`: it is also the origin of every queue URL. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  /**
   * Takes the endpoint off the network (connections refused) while queues and messages survive, as in a
   * regional SQS outage; `end()` serves them again on the same port. For fault tests and the chaos run.
   */
  outage(): Promise<{ end(): Promise<void> }>;
  stop(): Promise<void>;
}

export async function startFauxqsServer(options: FauxqsServerOptions = {}): Promise<FauxqsServer> {
  const region = options.region ?? 'us-east-1';
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const stores = await pathStyleStores();
  let app = buildApp({ logger: false, defaultRegion: region, stores });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new FauxqsIncompatibleError('fauxqs did not report a TCP address');
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new SQSClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const dlq = await createQueue(client, options.dlqName ?? DLQ_NAME, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      MessageRetentionPeriod: String(14 * 24 * 3600),
    });
    const queue = await createQueue(client, options.queueName ?? QUEUE_NAME, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
    });
    let stopping: Promise<void> | undefined;
    return {
      endpoint,
      port: address.port,
      region,
      queueUrl: queue.url,
      queueArn: queue.arn,
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
      maxReceiveCount,
      visibilityTimeoutSeconds,
      outage: async () => {
        await app.close();
        return {
          end: async () => {
            app = buildApp({ logger: false, defaultRegion: region, stores });
            await app.listen({ host: '127.0.0.1', port: address.port });
          },
        };
      },
      stop: () => {
        stopping ??= Promise.resolve(app.close()).then(() => {});
        return stopping;
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  } finally {
    client.destroy();
  }
}

async function createQueue(
  client: SQSClient,
  name: string,
  attributes: Partial<Record<QueueAttributeName, string>>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new FauxqsIncompatibleError(`CreateQueue ${name} returned no QueueUrl`);
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new FauxqsIncompatibleError(`GetQueueAttributes ${name} returned no QueueArn`);
  return { url: QueueUrl, arn };
}

/**
 * fauxqs builds queue URLs as `http://sqs.<region>.localhost:<port>/...` unless its store's `host` is
 * empty, and `*.localhost` does not resolve on every machine. The SDK sends requests to the queue URL's
 * host whenever it differs from the endpoint taken from `AWS_ENDPOINT_URL_SQS`, so the handlers' client
 * would fail with ENOTFOUND (and warn on every call). With an empty host fauxqs uses the request's Host
 * header instead, giving `http://127.0.0.1:<port>/000000000000/<name>`: same origin as the endpoint.
 * The store classes are not exported, so they are loaded by path next to the package entry point.
 */
async function pathStyleStores(): Promise<NonNullable<BuildAppOptions['stores']>> {
  const entry = import.meta.resolve('fauxqs');
  const load = async (path: string, name: string): Promise<new () => object> => {
    const mod = (await import(new URL(path, entry).href).catch((cause: unknown) => {
      throw new FauxqsIncompatibleError(`cannot load fauxqs internals ${path} (written for fauxqs 1.9.2)`, {
        cause,
      });
    })) as Record<string, unknown>;
    const ctor = mod[name];
    if (typeof ctor !== 'function') {
      throw new FauxqsIncompatibleError(`fauxqs ${path} has no ${name} (written for fauxqs 1.9.2)`);
    }
    return ctor as new () => object;
  };
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    load('./sqs/sqsStore.js', 'SqsStore'),
    load('./sns/snsStore.js', 'SnsStore'),
    load('./s3/s3Store.js', 'S3Store'),
  ]);
  const sqsStore = new SqsStore() as { host?: unknown };
  if (typeof sqsStore.host !== 'string') {
    throw new FauxqsIncompatibleError('fauxqs SqsStore has no host field (written for fauxqs 1.9.2)');
  }
  sqsStore.host = '';
  return { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() } as NonNullable<
    BuildAppOptions['stores']
  >;
}
