import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { SyncStateTable } from '../../cdk/constructs/sync-state-table.ts';
import { STATE_TABLE } from '../../shared/state/table.ts';
import {
  allowStatements,
  cfnProperties,
  logicalId,
  resourcesFor,
  sharedStack,
  testApp,
} from './cdk-test-stack.ts';

describe('SyncStateTable in the stack', () => {
  it('is keyed by the string attributes shared/state uses, with their TTL attribute', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.stateTable.table)).toMatchObject({
      KeySchema: [
        { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('bills on demand, keeps 35 days of point-in-time recovery and encrypts with the AWS managed key', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.stateTable.table)).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
      // SSEEnabled without a key: KMS with the AWS managed key aws/dynamodb (not the AWS owned default).
      SSESpecification: { SSEEnabled: true },
    });
    expect(cfnProperties(template, stack.stateTable.table).SSESpecification).not.toHaveProperty(
      'KMSMasterKeyId',
    );
  });

  it('is retained by cdk destroy and protected against deletion', () => {
    const { template, stack } = sharedStack();
    const resource = template.toJSON().Resources[logicalId(stack.stateTable.table)];

    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it('gives the worker and the sweep the table name', () => {
    const { template, stack } = sharedStack();
    const table = { Ref: logicalId(stack.stateTable.table) };

    for (const fn of [stack.worker.handler, stack.sweep.handler]) {
      expect(cfnProperties(template, fn)).toMatchObject({
        Environment: { Variables: { JIRA_SYNC_STATE_TABLE: table } },
      });
    }
  });

  it('outputs the table name and says that cdk destroy keeps it', () => {
    const { template, stack } = sharedStack();

    template.hasOutput('StateTableName', {
      Value: { Ref: logicalId(stack.stateTable.table) },
      Description: Match.stringLikeRegexp('retained by cdk destroy'),
    });
  });
});

describe('SyncStateTable options', () => {
  it('deletes the table with the stack, without deletion protection, when asked to', () => {
    const stack = new Stack(testApp(), 'S');
    const state = new SyncStateTable(stack, 'State', { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    const resource = template.toJSON().Resources[logicalId(state.table)];

    expect(resource).toMatchObject({ DeletionPolicy: 'Delete' });
    expect(resource.Properties.DeletionProtectionEnabled).toBe(false);
  });

  it('uses a customer managed key when given one, and grants it with the table', () => {
    const stack = new Stack(testApp(), 'S');
    const key = new Key(stack, 'Key', { enableKeyRotation: true });
    const state = new SyncStateTable(stack, 'State', { encryptionKey: key });
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    state.grantStateAccess(role);
    const template = Template.fromStack(stack);

    expect(cfnProperties(template, state.table)).toMatchObject({
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
      },
    });
    expect(resourcesFor(allowStatements(template, role), 'kms:Decrypt')).toEqual([
      `\${${logicalId(key)}.Arn}`,
    ]);
  });

  it.each([0, 36, 1.5])('rejects a recovery period of %s days', (recoveryPeriodDays) => {
    expect(() => new SyncStateTable(new Stack(testApp(), 'S'), 'State', { recoveryPeriodDays })).toThrow(
      `S/State: recoveryPeriodDays must be a whole number from 1 to 35 (got ${recoveryPeriodDays})`,
    );
  });
});
