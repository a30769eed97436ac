import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { CliFailure } from './args.ts';
import type { QueuePort } from './queue.ts';

/**
 * The deployment a command works on: the queues and the state table, and the URL Jira must call per
 * connection. Either the running local stack (`npm start`, described by `.local/stack.json`) or a deployed
 * CloudFormation stack.
 */
export interface Deployment {
  readonly kind: 'local' | 'stack';
  /** `local`, or the stack name. */
  readonly name: string;
  readonly region: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly stateTable: string;
  /** The webhook API's base URL (`<api>/webhooks/<id>` is a connection's URL); undefined when unknown. */
  readonly apiUrl: string | undefined;
  /** The URL Jira must post a connection's webhooks to (without any token). */
  webhookUrl(connectionId: string): string | undefined;
  /** The local stack's config file (a deployed stack's config is compiled into its functions). */
  readonly configPath?: string;
}

export const LOCAL_STACK_FILE = '.local/stack.json';

/**
 * `.local/stack.json`, written by `npm start` so `jira-sync --local` finds the running stack. Endpoints and
 * names only: secret values stay in the local Secrets Manager.
 */
export const localStackFileSchema = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  region: z.string().min(1),
  apiUrl: z.string().url(),
  configPath: z.string().min(1),
  queueUrl: z.string().url(),
  dlqUrl: z.string().url(),
  stateTable: z.string().min(1),
  maxReceiveCount: z.number().int().positive(),
  endpoints: z.object({
    sqs: z.string().url(),
    dynamodb: z.string().url(),
    secretsManager: z.string().url(),
  }),
  simulatorAdminUrl: z.string().url().optional(),
});
export type LocalStackFile = z.infer<typeof localStackFileSchema>;

/** What `startLocalStack` reports, as far as the stack file needs it. */
export interface LocalStackInfo {
  readonly apiUrl: string;
  readonly configPath: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly stateTable: string;
  readonly maxReceiveCount: number;
  readonly sqsEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly secretsEndpoint: string;
  readonly simulator?: { readonly simulator: { readonly adminUrl?: string | undefined } };
}

export function localStackFile(
  stack: LocalStackInfo,
  pid = process.pid,
  region = 'us-east-1',
): LocalStackFile {
  const adminUrl = stack.simulator?.simulator.adminUrl;
  return {
    version: 1,
    pid,
    startedAt: new Date().toISOString(),
    region,
    apiUrl: stack.apiUrl,
    configPath: stack.configPath,
    queueUrl: stack.queueUrl,
    dlqUrl: stack.dlqUrl,
    stateTable: stack.stateTable,
    maxReceiveCount: stack.maxReceiveCount,
    endpoints: {
      sqs: stack.sqsEndpoint,
      dynamodb: stack.dynamoEndpoint,
      secretsManager: stack.secretsEndpoint,
    },
    ...(adminUrl ? { simulatorAdminUrl: adminUrl } : {}),
  };
}

/** Writes the stack file (`npm start`); returns a function removing it again (on stop). */
export async function writeLocalStackFile(
  file: string,
  content: LocalStackFile,
): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
  return () => rm(file, { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads and checks `.local/stack.json`; one clear line when the local stack is not running. */
export function readLocalStackFile(
  file: string,
  alive: (pid: number) => boolean = processAlive,
): LocalStackFile {
  if (!existsSync(file)) {
    throw new CliFailure(`no running local stack: ${file} does not exist (start one with npm start)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new CliFailure(`${file} is not valid JSON (restart npm start to rewrite it)`);
  }
  const parsed = localStackFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliFailure(
      `${file} is not a jira-sync stack file (${issue?.path.join('.') || '(root)'}: ${issue?.message}); restart npm start`,
    );
  }
  if (!alive(parsed.data.pid)) {
    throw new CliFailure(
      `the local stack in ${file} is not running (process ${parsed.data.pid} is gone); start it with npm start`,
    );
  }
  return parsed.data;
}

/**
 * The environment the shared AWS clients need to reach the local stack's emulators, with placeholder
 * credentials (a developer's real AWS session must never ride along).
 */
export function localEnvironment(file: LocalStackFile): Record<string, string | undefined> {
  return {
    AWS_REGION: file.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL_SQS: file.endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: file.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: file.endpoints.secretsManager,
  };
}

export function webhookUrlFor(apiUrl: string, connectionId: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(connectionId)}`;
}

export function localDeployment(file: Omit<LocalStackFile, 'version' | 'pid' | 'startedAt'>): Deployment {
  return {
    kind: 'local',
    name: 'local',
    region: file.region,
    queueUrl: file.queueUrl,
    dlqUrl: file.dlqUrl,
    stateTable: file.stateTable,
    apiUrl: file.apiUrl,
    webhookUrl: (id) => webhookUrlFor(file.apiUrl, id),
    configPath: file.configPath,
  };
}

export function defaultLocalStackFile(cwd: string): string {
  return resolve(cwd, LOCAL_STACK_FILE);
}

// --- deployed stacks ---------------------------------------------------------------------------------

export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string | undefined;
}

/** The CloudFormation reads the CLI needs (real client in `cloudformation.ts`, fakes in tests). */
export interface CloudFormationPort {
  outputs(stackName: string): Promise<Record<string, string>>;
  resources(stackName: string): Promise<StackResource[]>;
}

/** As the stack names its outputs: `WebhookUrl` + the connection id in PascalCase. */
export function webhookOutputName(connectionId: string): string {
  return `WebhookUrl${connectionId
    .split('-')
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}`;
}

/**
 * Finds a deployed stack's queues, table and webhook URLs from its outputs and resources. The queues are
 * told apart by their redrive policy (the main queue names the DLQ), not by logical ids that a refactor of
 * the constructs could change.
 */
export async function resolveStackDeployment(
  stackName: string,
  region: string,
  cfn: CloudFormationPort,
  queues: Pick<QueuePort, 'attributes'>,
): Promise<Deployment> {
  const [outputs, resources] = await Promise.all([cfn.outputs(stackName), cfn.resources(stackName)]);
  const queueUrls = resources
    .filter((r) => r.type === 'AWS::SQS::Queue' && r.physicalId)
    .map((r) => ({ logicalId: r.logicalId, url: r.physicalId as string }));
  let queueUrl = outputs.QueueUrl;
  let dlqUrl = outputs.DeadLetterQueueUrl;
  if (!queueUrl || !dlqUrl) {
    const described = await Promise.all(
      queueUrls.map(async (q) => {
        const a = await queues.attributes(q.url, ['QueueArn', 'RedrivePolicy']);
        const target = a.RedrivePolicy
          ? (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
          : undefined;
        return { ...q, arn: a.QueueArn, deadLetterTargetArn: target };
      }),
    );
    const mains = described.filter(
      (q) => q.deadLetterTargetArn && described.some((d) => d.arn === q.deadLetterTargetArn),
    );
    const [main] = mains;
    if (mains.length !== 1 || !main) {
      throw new CliFailure(
        `stack ${stackName} in ${region}: expected one queue with a dead-letter queue, found ${mains.length} (is it a jira-sync stack?)`,
      );
    }
    queueUrl = main.url;
    dlqUrl = described.find((d) => d.arn === main.deadLetterTargetArn)?.url;
  }
  const tables = resources.filter((r) => r.type === 'AWS::DynamoDB::Table' && r.physicalId);
  const stateTable = outputs.StateTableName ?? (tables.length === 1 ? tables[0]?.physicalId : undefined);
  if (!queueUrl || !dlqUrl || !stateTable) {
    throw new CliFailure(
      `stack ${stackName} in ${region}: could not find ${!stateTable ? 'the state table' : 'the queues'} (is it a jira-sync stack?)`,
    );
  }
  const webhookUrls = Object.entries(outputs).filter(([k]) => k.startsWith('WebhookUrl'));
  const anyUrl = webhookUrls[0]?.[1];
  const apiUrl = anyUrl ? anyUrl.replace(/\/webhooks\/[^/]*$/, '') : undefined;
  return {
    kind: 'stack',
    name: stackName,
    region,
    queueUrl,
    dlqUrl,
    stateTable,
    apiUrl,
    webhookUrl: (id) => outputs[webhookOutputName(id)] ?? (apiUrl ? webhookUrlFor(apiUrl, id) : undefined),
  };
}
