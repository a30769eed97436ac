import { describe, expect, it } from 'vitest';
import { PHYSICAL_RESOURCE_ID, parseInvocation } from '../../../shared/registrar/invocation.ts';
import { type RegistrationResult, summarize } from '../../../shared/registrar/register.ts';

// The event the CDK Provider framework passes to the onEvent handler (a CloudFormation request).
const cfnEvent = (RequestType: string, extra: Record<string, unknown> = {}) => ({
  RequestType,
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/JiraSync/abc',
  RequestId: 'd6d0b1d2-1111-2222-3333-444455556666',
  LogicalResourceId: 'WebhookRegistrarWebhooks',
  ResourceType: 'Custom::JiraSyncWebhooks',
  ResourceProperties: { ServiceToken: 'x', ApiUrl: 'https://abc/', Registrations: '[]' },
  ...extra,
});

describe('parseInvocation', () => {
  it('registers on Create and Update, always with the same physical id', () => {
    expect(parseInvocation(cfnEvent('Create'))).toEqual({
      kind: 'deploy',
      requestType: 'Create',
      physicalResourceId: PHYSICAL_RESOURCE_ID,
    });
    expect(parseInvocation(cfnEvent('Update', { PhysicalResourceId: 'something-else' }))).toEqual({
      kind: 'deploy',
      requestType: 'Update',
      physicalResourceId: PHYSICAL_RESOURCE_ID,
    });
  });

  it('answers Delete with the id it was given (webhooks stay in Jira)', () => {
    expect(parseInvocation(cfnEvent('Delete', { PhysicalResourceId: 'jira-sync-webhooks' }))).toEqual({
      kind: 'teardown',
      physicalResourceId: 'jira-sync-webhooks',
    });
  });

  it.each([{ source: 'jira-sync.schedule', action: 'refresh' }, {}, null, 'run'])(
    'runs the registration for a schedule or a manual invoke (%j)',
    (event) => {
      expect(parseInvocation(event)).toEqual({ kind: 'run' });
    },
  );
});

describe('summarize', () => {
  const result = (over: Partial<RegistrationResult>): RegistrationResult => ({
    connectionId: 'acme',
    mode: 'admin',
    status: 'created',
    webhookIds: ['1'],
    removedIds: [],
    ...over,
  });

  it('gives one short clause per connection', () => {
    expect(
      summarize([
        result({}),
        result({ connectionId: 'acme-oauth', mode: 'dynamic', status: 'failed', message: 'no consent yet' }),
      ]),
    ).toBe('acme: admin created; acme-oauth: dynamic failed (no consent yet)');
  });

  it('says when nothing registers, and stays within what CloudFormation accepts', () => {
    expect(summarize([])).toBe('no connection registers webhooks');
    const many = Array.from({ length: 100 }, (_, i) =>
      result({ connectionId: `c${i}`, status: 'failed', message: 'x'.repeat(500) }),
    );
    expect(summarize(many).length).toBeLessThanOrEqual(2000);
  });
});
