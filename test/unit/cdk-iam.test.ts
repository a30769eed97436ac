import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { SecretRefs } from '../../cdk/secret-refs.ts';
import {
  ACCOUNT,
  allowStatements,
  cfnProperties,
  logicalId,
  REGION,
  resourcesFor,
  sharedStack,
  testApp,
} from './cdk-test-stack.ts';

// Names get the `-??????` wildcard for the random suffix; the partition stays a token (AWS::Partition).
const BY_NAME = `arn:\${AWS::Partition}:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
const FIXTURE_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:';
const WEBHOOK_SECRETS = [
  `${BY_NAME}jira-sync/acme-automation/webhook-??????`,
  `${BY_NAME}jira-sync/acme-cloud/webhook-??????`,
  `${FIXTURE_ARN}jira-sync/acme-dc/webhook-??????`,
  `${BY_NAME}jira-sync/acme-oauth/webhook-??????`,
];
const OAUTH_SECRETS = [`${BY_NAME}jira-sync/acme-oauth/auth-??????`];
const AUTH_SECRETS = [
  `${BY_NAME}jira-sync/acme-cloud/auth-??????`,
  `${FIXTURE_ARN}jira-sync/acme-dc/auth-AbC123`,
  ...OAUTH_SECRETS,
];

// The connections with webhook.register (acme-cloud, acme-dc, acme-oauth): not acme-automation's secret.
const REGISTRAR_SECRETS = [
  `${BY_NAME}jira-sync/acme-cloud/auth-??????`,
  `${BY_NAME}jira-sync/acme-cloud/webhook-??????`,
  `${BY_NAME}jira-sync/acme-oauth/auth-??????`,
  `${BY_NAME}jira-sync/acme-oauth/webhook-??????`,
  `${FIXTURE_ARN}jira-sync/acme-dc/auth-AbC123`,
  `${FIXTURE_ARN}jira-sync/acme-dc/webhook-??????`,
];
const STATE_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

type Which = 'ingest' | 'worker' | 'oauth' | 'sweep' | 'registrar';

function policyOf(which: Which) {
  const { template, stack } = sharedStack();
  const fn = {
    ingest: stack.ingest.handler,
    worker: stack.worker.handler,
    oauth: stack.oauth?.handler,
    sweep: stack.sweep.handler,
    registrar: stack.registrar?.handler,
  }[which];
  const role = fn?.role;
  if (!role) throw new Error('function without role');
  return allowStatements(template, role);
}

function actionsOf(which: Which): string[] {
  return policyOf(which).flatMap((s) => [s.Action].flat());
}

function arnOf(construct: Parameters<typeof logicalId>[0]): string {
  return `\${${logicalId(construct)}.Arn}`;
}

describe('IAM of the functions', () => {
  it('lets ingest read exactly the webhook secrets', () => {
    const statements = policyOf('ingest');

    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual(WEBHOOK_SECRETS.sort());
    expect(resourcesFor(statements, 'secretsmanager:DescribeSecret')).toEqual(WEBHOOK_SECRETS.sort());
  });

  it('lets the worker read exactly the auth secrets, each once', () => {
    const statements = policyOf('worker');

    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual(AUTH_SECRETS.sort());
    expect(resourcesFor(statements, 'secretsmanager:DescribeSecret')).toEqual(AUTH_SECRETS.sort());
  });

  it('lets the worker store rotated OAuth tokens in the OAuth secrets only, with PutSecretValue only', () => {
    const statements = policyOf('worker');

    expect(resourcesFor(statements, 'secretsmanager:PutSecretValue')).toEqual(OAUTH_SECRETS);
    expect(resourcesFor(statements, 'secretsmanager:UpdateSecret')).toEqual([]);
  });

  it('lets the OAuth function read and store exactly the OAuth secrets, and nothing on SQS', () => {
    const statements = policyOf('oauth');
    const actions = statements.flatMap((s) => [s.Action].flat());

    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual(OAUTH_SECRETS);
    expect(resourcesFor(statements, 'secretsmanager:PutSecretValue')).toEqual(OAUTH_SECRETS);
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets ingest send to the queue and nothing else on SQS', () => {
    const { stack } = sharedStack();
    const statements = policyOf('ingest');
    const sqsActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('sqs:'));

    expect(sqsActions.sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([`\${${logicalId(stack.queue.queue)}.Arn}`]);
  });

  it('lets the worker consume the queue and change visibility (backoff) on it, not send to it', () => {
    const { stack } = sharedStack();
    const statements = policyOf('worker');
    const queue = arnOf(stack.queue.queue);

    expect(resourcesFor(statements, 'sqs:ReceiveMessage')).toEqual([queue]);
    expect(resourcesFor(statements, 'sqs:DeleteMessage')).toEqual([queue]);
    expect(resourcesFor(statements, 'sqs:ChangeMessageVisibility')).toEqual([queue]);
    expect(resourcesFor(statements, 'sqs:SendMessage')).not.toContain(queue);
  });

  it('lets the worker send to the dead-letter queue only (it dead-letters permanent failures itself)', () => {
    const { stack } = sharedStack();
    const statements = policyOf('worker');

    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([arnOf(stack.queue.deadLetterQueue)]);
    expect(resourcesFor(statements, 'sqs:ReceiveMessage')).not.toContain(arnOf(stack.queue.deadLetterQueue));
  });

  it.each(['worker', 'sweep'] as const)(
    'lets the %s read and write items of the state table only, without scans or batches',
    (which) => {
      const { stack } = sharedStack();
      const statements = policyOf(which);
      const dynamo = actionsOf(which).filter((a) => a.startsWith('dynamodb:'));

      expect([...new Set(dynamo)].sort()).toEqual(STATE_ACTIONS);
      for (const action of STATE_ACTIONS) {
        expect(resourcesFor(statements, action), action).toEqual([arnOf(stack.stateTable.table)]);
      }
    },
  );

  it.each(['ingest', 'oauth', 'registrar'] as const)('gives the %s no access to the state table', (which) => {
    expect(actionsOf(which).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('lets the sweep send to the queue only, read every auth secret and store rotated OAuth tokens', () => {
    const { stack } = sharedStack();
    const statements = policyOf('sweep');
    const sqs = actionsOf('sweep').filter((a) => a.startsWith('sqs:'));

    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([arnOf(stack.queue.queue)]);
    expect(sqs).not.toContain('sqs:ReceiveMessage');
    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual(AUTH_SECRETS.sort());
    expect(resourcesFor(statements, 'secretsmanager:PutSecretValue')).toEqual(OAUTH_SECRETS);
  });

  it('lets the registrar read only the secrets of registering connections and store only OAuth tokens', () => {
    const statements = policyOf('registrar');

    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual(REGISTRAR_SECRETS.sort());
    expect(resourcesFor(statements, 'secretsmanager:PutSecretValue')).toEqual(OAUTH_SECRETS);
    expect(actionsOf('registrar').filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets the custom resource provider invoke the registrar function and nothing else', () => {
    const { template, stack } = sharedStack();
    const registrar = stack.registrar;
    if (!registrar) throw new Error('the fixture registers webhooks');
    const role = registrar.provider.onEventHandler.role;
    const frameworkRole = stack.node.findChild('WebhookRegistrar').node.findChild('ProviderRole');
    const statements = allowStatements(template, frameworkRole);
    const fn = arnOf(registrar.handler);

    expect(role).toBe(registrar.handler.role);
    expect(cfnProperties(template, frameworkRole).ManagedPolicyArns).toBeUndefined();
    expect(resourcesFor(statements, 'lambda:InvokeFunction')).toEqual([fn, `${fn}:*`]);
    expect(
      [...new Set(statements.flatMap((s) => [s.Action].flat()).map((a) => a.split(':')[0]))].sort(),
    ).toEqual(['lambda', 'logs']);
  });

  it.each([
    { which: 'ingest', services: ['logs', 'secretsmanager', 'sqs', 'xray'], writes: false },
    { which: 'worker', services: ['dynamodb', 'logs', 'secretsmanager', 'sqs', 'xray'], writes: true },
    { which: 'oauth', services: ['logs', 'secretsmanager', 'xray'], writes: true },
    { which: 'sweep', services: ['dynamodb', 'logs', 'secretsmanager', 'sqs', 'xray'], writes: true },
    { which: 'registrar', services: ['logs', 'secretsmanager', 'xray'], writes: true },
  ] as const)('gives $which no other services than $services', ({ which, services, writes }) => {
    const actions = actionsOf(which);
    const secretActions = new Set(actions.filter((a) => a.startsWith('secretsmanager:')));

    expect([...new Set(actions.map((a) => a.split(':')[0]))].sort()).toEqual(services);
    expect([...secretActions].sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      ...(writes ? ['secretsmanager:PutSecretValue'] : []),
    ]);
  });
});

describe('SecretRefs', () => {
  /** The policy resource string `grantRead` produces for a config reference. */
  function grantedResource(ref: string): string[] {
    const stack = new Stack(testApp(), 'S', { env: { account: ACCOUNT, region: REGION } });
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    new SecretRefs(stack, 'Secrets').get(ref).grantRead(role);
    return resourcesFor(allowStatements(Template.fromStack(stack), role), 'secretsmanager:GetSecretValue');
  }

  it('adds the random-suffix wildcard to a name, in the stack region and account', () => {
    expect(grantedResource('jira/acme')).toEqual([`${BY_NAME}jira/acme-??????`]);
  });

  it('adds the wildcard to a partial ARN, keeping its own region and account', () => {
    const arn = 'arn:aws:secretsmanager:us-west-2:210987654321:secret:jira/acme';

    expect(grantedResource(arn)).toEqual([`${arn}-??????`]);
  });

  it('uses a complete ARN as is', () => {
    const arn = 'arn:aws:secretsmanager:us-west-2:210987654321:secret:jira/acme-x1Y2z3';

    expect(grantedResource(arn)).toEqual([arn]);
  });

  it('returns one import per reference', () => {
    const refs = new SecretRefs(new Stack(testApp(), 'S'), 'Secrets');

    expect(refs.get('jira/acme')).toBe(refs.get('jira/acme'));
  });

  it('rejects an ARN of another service with a readable error', () => {
    const refs = new SecretRefs(new Stack(testApp(), 'S'), 'Secrets');

    expect(() => refs.get('arn:aws:ssm:eu-west-1:123456789012:parameter/jira')).toThrow(
      '"arn:aws:ssm:eu-west-1:123456789012:parameter/jira" is not a Secrets Manager secret ARN',
    );
  });
});
