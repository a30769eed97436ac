import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { resetAwsClients } from '../shared/aws/clients.ts';
import { setConfigForProcess } from '../shared/config/current.ts';
import { loadConfigFile } from '../shared/config/load.ts';
import type { Config } from '../shared/config/schema.ts';
import {
  type DemoSimulator,
  type DemoSimulatorOptions,
  startDemoSimulator,
} from '../simulator/demo/demo-simulator.ts';
import { startApiGatewayAdapter } from './api-gateway-adapter.ts';
import { startDynamoDbServer } from './dynamodb-server.ts';
import { startFauxqsServer } from './fauxqs-server.ts';
import { type HandlerSource, loadHandlers } from './handler-modules.ts';
import type { IngestHandler, WorkerHandler } from './handler-types.ts';
import { createLambdaContext } from './lambda-context.ts';
import { LocalStackStartError } from './local-errors.ts';
import { errorFields, jsonLinesLog, type LocalLog } from './local-log.ts';
import type { SecretsFileSeed } from './secrets-file.ts';
import { startSecretsManagerServer } from './secrets-manager-server.ts';
import { type BatchOutcome, startSqsPoller } from './sqs-poller.ts';

export interface LocalStackOptions {
  /** The jira-sync config file the handlers read (`JIRA_SYNC_CONFIG`). */
  readonly configPath: string;
  /** HTTP API port on 127.0.0.1; default 3000, 0 picks a free one. */
  readonly port?: number;
  /** fauxqs and Secrets Manager ports; default 0 (free ports, printed in the banner). */
  readonly sqsPort?: number;
  readonly secretsPort?: number;
  /** Git-ignored state directory; default `.local` in the working directory. */
  readonly stateDir?: string;
  readonly secretsSeed?: SecretsFileSeed;
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  /** Concurrent worker invocations (the event source's maxConcurrency); default 2. */
  readonly workerConcurrency?: number;
  /** Poller long-poll wait, 1-2 s keeps Ctrl-C snappy. */
  readonly waitTimeSeconds?: number;
  /** Tests inject handlers; by default the real ones under functions/ are imported. */
  readonly handlers?: { readonly ingest?: IngestHandler; readonly worker?: WorkerHandler };
  readonly log?: LocalLog;
  /** The worker's longest retry backoff (`JIRA_SYNC_MAX_BACKOFF_SECONDS`); default the worker's, 120 s. */
  readonly maxBackoffSeconds?: number;
  /** How long the worker waits for a possibly-created issue to become searchable; default 60 s. */
  readonly createGraceSeconds?: number;
  /** Run the sweep function on this period (as EventBridge would); default: only on `sweep()`. */
  readonly sweepEveryMs?: number;
  /** Called after each worker batch (tests wait on it). */
  readonly onWorkerBatch?: (outcome: BatchOutcome) => void;
  /**
   * Runs a simulated Jira site per connection (the demo configuration's), with webhooks pointing at this
   * stack's ingest and the credentials of the local secrets store.
   */
  readonly simulator?: Omit<DemoSimulatorOptions, 'connections' | 'webhookUrl' | 'secret' | 'log'>;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly port: number;
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly secretsEndpoint: string;
  /** DynamoDB (dynalite) holding the sync state table. */
  readonly dynamoEndpoint: string;
  readonly stateTable: string;
  readonly secretsFile: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly config: Config;
  readonly handlerSources: { readonly ingest: HandlerSource; readonly worker: HandlerSource };
  /** Secret names or ARNs the config refers to that the local store does not hold. */
  readonly missingSecrets: readonly string[];
  webhookUrl(connectionId: string): string;
  /**
   * Runs the sweep function once, as its EventBridge schedule would (missed webhooks converge). The stack
   * also runs it every `sweepEveryMs` when that option is set.
   */
  sweep(): Promise<unknown>;
  /** Simulates a DynamoDB outage (connections refused, state kept) until `end()` is awaited. */
  dynamoOutage(): Promise<{ end(): Promise<void> }>;
  /** Simulates an SQS outage (connections refused, messages kept) until `end()` is awaited. */
  sqsOutage(): Promise<{ end(): Promise<void> }>;
  /** A value from the local store (for the banner's signed curl); undefined when absent. */
  localSecret(nameOrArn: string): string | undefined;
  /** The simulated Jira sites, when started with `simulator`. */
  readonly simulator?: DemoSimulator;
  /** Stops the simulator, the poller, then the servers, and restores the environment. Idempotent. */
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const SWEEP_MODULE = new URL('../functions/sweep/handler.ts', import.meta.url);
const ACCOUNT_ID = '000000000000';
let running = false;

/**
 * Starts everything on 127.0.0.1 and runs the real handler code against it: Secrets Manager, fauxqs, the
 * API Gateway adapter and the SQS poller. The handlers' environment is set before they are imported,
 * because Lambda code may read it at module load. One stack per process (the environment is global).
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  if (running) throw new LocalStackStartError('a local stack is already running in this process');
  running = true;
  const log = options.log ?? jsonLinesLog;
  const configPath = resolve(options.configPath);
  const stateDir = resolve(options.stateDir ?? '.local');
  const stops: Array<() => Promise<void>> = [];
  let restoreEnv: (() => void) | undefined;

  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => log('WARN', 'error while stopping', errorFields(error)));
    }
    stops.length = 0;
    resetAwsClients();
    setConfigForProcess(undefined);
    restoreEnv?.();
    running = false;
  };

  try {
    const config = loadConfigFile(configPath);
    await mkdir(stateDir, { recursive: true });
    const secretsFile = resolve(stateDir, 'secrets.json');
    const secrets = await startSecretsManagerServer({
      file: secretsFile,
      port: options.secretsPort ?? 0,
      region: REGION,
      accountId: ACCOUNT_ID,
      ...(options.secretsSeed ? { seed: options.secretsSeed } : {}),
      log: (entry) =>
        log(entry.status < 400 ? 'INFO' : 'WARN', 'secrets manager request', {
          component: 'secrets-manager',
          ...entry,
        }),
    });
    stops.push(() => secrets.stop());

    const sqs = await startFauxqsServer({
      port: options.sqsPort ?? 0,
      region: REGION,
      ...(options.visibilityTimeoutSeconds === undefined
        ? {}
        : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
      ...(options.maxReceiveCount === undefined ? {} : { maxReceiveCount: options.maxReceiveCount }),
    });
    stops.push(() => sqs.stop());

    const dynamo = await startDynamoDbServer({ region: REGION });
    stops.push(() => dynamo.stop());

    restoreEnv = setEnv({
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // A developer's real session must never ride along with the local credentials.
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      JIRA_SYNC_QUEUE_URL: sqs.queueUrl,
      JIRA_SYNC_DLQ_URL: sqs.dlqUrl,
      JIRA_SYNC_MAX_RECEIVE_COUNT: String(sqs.maxReceiveCount),
      JIRA_SYNC_CREATE_GRACE_SECONDS:
        options.createGraceSeconds === undefined ? undefined : String(options.createGraceSeconds),
      JIRA_SYNC_MAX_BACKOFF_SECONDS:
        options.maxBackoffSeconds === undefined ? undefined : String(options.maxBackoffSeconds),
      JIRA_SYNC_STATE_TABLE: dynamo.tableName,
      JIRA_SYNC_CONFIG: configPath,
      // As in Lambda: Powertools reports cold_start only for on-demand environments.
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      POWERTOOLS_SERVICE_NAME: 'jira-sync',
      POWERTOOLS_METRICS_NAMESPACE: 'JiraSync',
    });
    // Clients created before (an earlier stack, a test) point at old endpoints.
    resetAwsClients();
    setConfigForProcess(config);

    const handlers = await loadHandlers(options.handlers);

    const api = await startApiGatewayAdapter({
      handler: handlers.ingest,
      port: options.port ?? 3000,
      region: REGION,
      identity: { accountId: ACCOUNT_ID, apiId: 'local' },
      onError: (error) =>
        log('ERROR', 'Invoke Error', { component: 'webhook-ingest', ...errorFields(error) }),
    }).catch((cause: unknown) => {
      const inUse = (cause as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new LocalStackStartError(
        inUse
          ? `127.0.0.1:${options.port ?? 3000} is already in use (set PORT to use another port)`
          : 'the HTTP API could not start',
        { cause },
      );
    });
    stops.push(() => api.stop());

    const pollerClient = new SQSClient({
      endpoint: sqs.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // As the event source's maxConcurrency: several "Lambdas" drain the queue at once.
    const pollers = Array.from({ length: options.workerConcurrency ?? 2 }, () =>
      startSqsPoller({
        client: pollerClient,
        queueUrl: sqs.queueUrl,
        queue: { arn: sqs.queueArn, region: REGION },
        handler: handlers.worker,
        waitTimeSeconds: options.waitTimeSeconds ?? 1,
        accountId: ACCOUNT_ID,
        onBatch: (outcome) => {
          if (outcome.failed.length > 0) {
            log('WARN', 'batch had failures', { component: 'sqs-poller', ...outcome });
          }
          options.onWorkerBatch?.(outcome);
        },
        onError: (error, what) => log('ERROR', what, { component: 'sqs-poller', ...errorFields(error) }),
      }),
    );
    stops.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
      pollerClient.destroy();
    });

    const webhookUrl = (connectionId: string) => `${api.url}/webhooks/${encodeURIComponent(connectionId)}`;
    const storedSecret = (ref: string) => {
      const name = secrets.resolveName(ref);
      return name === undefined ? undefined : secrets.store.get(name);
    };
    let simulator: DemoSimulator | undefined;
    if (options.simulator) {
      simulator = await startDemoSimulator({
        ...options.simulator,
        connections: config.connections,
        webhookUrl,
        secret: storedSecret,
        log,
      }).catch((cause: unknown) => {
        throw new LocalStackStartError(
          `the Jira simulator could not start${cause instanceof Error ? `: ${cause.message}` : ''}`,
          { cause },
        );
      });
      const started = simulator;
      stops.push(() => started.stop());
    }

    // The sweep function, imported on first use (it reads the environment at load, as in Lambda).
    let sweepHandler: Promise<(event: unknown, context: Context) => Promise<unknown>> | undefined;
    const runSweep = async (): Promise<unknown> => {
      sweepHandler ??= import(SWEEP_MODULE.href).then(
        (m: { handler: (e: unknown, c: Context) => Promise<unknown> }) => m.handler,
      );
      const context = createLambdaContext({
        functionName: 'jira-sync-sweep',
        timeoutMs: 300_000,
        region: REGION,
        accountId: ACCOUNT_ID,
      });
      return (await sweepHandler)({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context);
    };
    if (options.sweepEveryMs !== undefined) {
      const timer = setInterval(() => {
        runSweep().catch((error: unknown) =>
          log('ERROR', 'sweep failed', { component: 'sweep', ...errorFields(error) }),
        );
      }, options.sweepEveryMs);
      timer.unref();
      stops.push(async () => clearInterval(timer));
    }

    const secretRefs = config.connections.flatMap((c) => [c.auth.secret, c.webhook.secret]);
    let stopping: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      port: api.port,
      sqsEndpoint: sqs.endpoint,
      queueUrl: sqs.queueUrl,
      queueArn: sqs.queueArn,
      dlqUrl: sqs.dlqUrl,
      dlqArn: sqs.dlqArn,
      maxReceiveCount: sqs.maxReceiveCount,
      visibilityTimeoutSeconds: sqs.visibilityTimeoutSeconds,
      secretsEndpoint: secrets.url,
      dynamoEndpoint: dynamo.endpoint,
      stateTable: dynamo.tableName,
      secretsFile,
      stateDir,
      configPath,
      config,
      handlerSources: handlers.sources,
      missingSecrets: [...new Set(secretRefs)].filter((ref) => secrets.resolveName(ref) === undefined),
      webhookUrl,
      sqsOutage: () => sqs.outage(),
      dynamoOutage: () => dynamo.outage(),
      sweep: runSweep,
      localSecret: storedSecret,
      ...(simulator ? { simulator } : {}),
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Sets (or, for `undefined`, removes) variables and returns a function putting the old values back. */
function setEnv(values: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (vars: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(vars)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(previous);
}
