import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { cloudFormationPort } from '../../../shared/cli/cloudformation.ts';
import { targetResolver } from '../../../shared/cli/defaults.ts';
import {
  type CloudFormationPort,
  type LocalStackFile,
  localEnvironment,
  readLocalStackFile,
  resolveStackDeployment,
  type StackResource,
  webhookOutputName,
} from '../../../shared/cli/target.ts';

const STACK_FILE: LocalStackFile = {
  version: 1,
  pid: 4242,
  startedAt: '2026-01-01T00:00:00.000Z',
  region: 'us-east-1',
  apiUrl: 'http://127.0.0.1:3000',
  configPath: '/repo/local/demo.config.yaml',
  queueUrl: 'http://127.0.0.1:9324/000000000000/jira-sync-events.fifo',
  dlqUrl: 'http://127.0.0.1:9324/000000000000/jira-sync-events-dlq.fifo',
  stateTable: 'jira-sync-state',
  maxReceiveCount: 5,
  endpoints: {
    sqs: 'http://127.0.0.1:9324',
    dynamodb: 'http://127.0.0.1:8000',
    secretsManager: 'http://127.0.0.1:7000',
  },
};

function fileWith(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'jira-sync-target-')), 'stack.json');
  writeFileSync(file, content);
  return file;
}

describe('.local/stack.json', () => {
  it('is read when its process runs', () => {
    expect(readLocalStackFile(fileWith(JSON.stringify(STACK_FILE)), () => true)).toEqual(STACK_FILE);
  });

  it('says in one line what is wrong: missing, not JSON, not a stack file, stale', () => {
    const problems = [
      () => readLocalStackFile('/nonexistent/stack.json', () => true),
      () => readLocalStackFile(fileWith('{'), () => true),
      () => readLocalStackFile(fileWith('{"version":1}'), () => true),
      () => readLocalStackFile(fileWith(JSON.stringify(STACK_FILE)), () => false),
    ];
    const messages = problems.map((p) => {
      try {
        p();
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });

    expect(messages).toEqual([
      'no running local stack: /nonexistent/stack.json does not exist (start one with npm start)',
      expect.stringMatching(/is not valid JSON \(restart npm start to rewrite it\)$/),
      expect.stringMatching(/is not a jira-sync stack file \(pid: .*\); restart npm start$/),
      expect.stringMatching(/is not running \(process 4242 is gone\); start it with npm start$/),
    ]);
  });

  it('points the SDK at the emulators with placeholder credentials, never a real session', () => {
    expect(localEnvironment(STACK_FILE)).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:7000',
    });
  });
});

const MAIN = 'https://sqs.eu-west-1.amazonaws.com/123456789012/prod-QueueB6A6EF0D-abc.fifo';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/prod-QueueDeadLetterQueue1A2B-def.fifo';
const RESOURCES: StackResource[] = [
  { logicalId: 'QueueDeadLetterQueue1A2B3C4D', type: 'AWS::SQS::Queue', physicalId: DLQ },
  { logicalId: 'QueueB6A6EF0D', type: 'AWS::SQS::Queue', physicalId: MAIN },
  { logicalId: 'StateTable1234', type: 'AWS::DynamoDB::Table', physicalId: 'prod-StateTable-XYZ' },
  { logicalId: 'WorkerFn', type: 'AWS::Lambda::Function', physicalId: 'prod-Worker' },
];
const OUTPUTS = {
  StateTableName: 'prod-StateTable-XYZ',
  WebhookUrlAcmeCloud: 'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/acme-cloud',
};
const fakeCfn = (outputs: Record<string, string>, resources: StackResource[]): CloudFormationPort => ({
  outputs: async () => outputs,
  resources: async () => resources,
});
const queueAttributes = {
  attributes: async (url: string): Promise<Record<string, string>> =>
    url === MAIN
      ? {
          QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:main.fifo',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq.fifo',
            maxReceiveCount: 5,
          }),
        }
      : { QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq.fifo' },
};

describe('a deployed stack', () => {
  it('is found through its outputs and resources; the queues are told apart by their redrive policy', async () => {
    const deployment = await resolveStackDeployment(
      'prod',
      'eu-west-1',
      fakeCfn(OUTPUTS, RESOURCES),
      queueAttributes,
    );

    expect(deployment).toMatchObject({
      kind: 'stack',
      name: 'prod',
      region: 'eu-west-1',
      queueUrl: MAIN,
      dlqUrl: DLQ,
      stateTable: 'prod-StateTable-XYZ',
      apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
    });
    expect(deployment.webhookUrl('acme-cloud')).toBe(OUTPUTS.WebhookUrlAcmeCloud);
    expect(deployment.webhookUrl('acme-dc')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/acme-dc',
    );
    expect(webhookOutputName('my-jira-dc')).toBe('WebhookUrlMyJiraDc');
  });

  it('refuses a stack that is not a jira-sync stack', async () => {
    await expect(
      resolveStackDeployment('other', 'eu-west-1', fakeCfn({}, RESOURCES.slice(2)), queueAttributes),
    ).rejects.toThrow(
      'stack other in eu-west-1: expected one queue with a dead-letter queue, found 0 (is it a jira-sync stack?)',
    );
  });

  it('reads CloudFormation through the SDK, page after page, and explains errors in one line', async () => {
    const sent: unknown[] = [];
    const client = {
      async send(command: unknown) {
        sent.push(command);
        if (command instanceof DescribeStacksCommand) {
          return { Stacks: [{ Outputs: [{ OutputKey: 'StateTableName', OutputValue: 't' }] }] };
        }
        if (command instanceof ListStackResourcesCommand) {
          return command.input.NextToken
            ? { StackResourceSummaries: [RESOURCES[1]].map(toSummary) }
            : { StackResourceSummaries: [RESOURCES[0]].map(toSummary), NextToken: 'page-2' };
        }
        throw new Error('unexpected command');
      },
    };
    const port = cloudFormationPort('eu-west-1', client);

    expect(await port.outputs('prod')).toEqual({ StateTableName: 't' });
    expect((await port.resources('prod')).map((r) => r.logicalId)).toEqual([
      'QueueDeadLetterQueue1A2B3C4D',
      'QueueB6A6EF0D',
    ]);

    const missing = cloudFormationPort('eu-west-1', {
      send: async () => {
        throw Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' });
      },
    });
    await expect(missing.outputs('nope')).rejects.toThrow('stack nope not found in eu-west-1');
    const noCredentials = cloudFormationPort('eu-west-1', {
      send: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        });
      },
    });
    await expect(noCredentials.resources('prod')).rejects.toThrow(
      'no AWS credentials to read stack prod (set AWS_PROFILE or the AWS_* variables)',
    );
  });

  it('--stack sets the region for the shared clients and resolves through CloudFormation', async () => {
    const env: NodeJS.ProcessEnv = {};
    const resolve = targetResolver({
      env,
      cwd: '/',
      cloudFormation: () => fakeCfn({ ...OUTPUTS, QueueUrl: MAIN, DeadLetterQueueUrl: DLQ }, RESOURCES),
    });
    const global = {
      local: false,
      localFile: undefined,
      stack: 'prod',
      region: 'eu-west-1',
      config: undefined,
      json: false,
      noColor: false,
      help: false,
    };

    const deployment = await resolve(global);

    expect(env.AWS_REGION).toBe('eu-west-1');
    expect(deployment).toMatchObject({ queueUrl: MAIN, dlqUrl: DLQ, stateTable: 'prod-StateTable-XYZ' });
  });
});

function toSummary(r: StackResource | undefined) {
  return { LogicalResourceId: r?.logicalId, ResourceType: r?.type, PhysicalResourceId: r?.physicalId };
}
