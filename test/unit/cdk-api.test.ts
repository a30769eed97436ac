import { describe, expect, it } from 'vitest';
import { cfnProperties, logicalId, sharedStack } from './cdk-test-stack.ts';

describe('WebhookIngest API', () => {
  it('routes POST /webhooks/{connectionId} to the ingest function', () => {
    const { template } = sharedStack();

    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/{connectionId}' });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('throttles the $default stage', () => {
    const { template, stack } = sharedStack();

    expect(cfnProperties(template, stack.ingest.stage)).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
  });

  it('writes JSON access logs without query strings to a log group kept one month', () => {
    const { template, stack } = sharedStack();
    const settings = cfnProperties(template, stack.ingest.stage).AccessLogSettings as {
      DestinationArn: unknown;
      Format: string;
    };
    const format = JSON.parse(settings.Format) as Record<string, string>;

    expect(settings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(stack.ingest.accessLogGroup), 'Arn'],
    });
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    // url-token connections carry their secret in ?token=; it must never reach a log.
    expect(settings.Format).not.toMatch(/querystring|requestOverride|header/i);
    expect(cfnProperties(template, stack.ingest.accessLogGroup).RetentionInDays).toBe(30);
  });

  it('outputs one webhook URL per connection and says where a url-token comes from', () => {
    const { template } = sharedStack();
    const outputs = template.toJSON().Outputs as Record<string, { Description: string; Value: unknown }>;

    expect(Object.keys(outputs).sort()).toEqual([
      'AlarmTopicArn',
      'WebhookUrlAcmeAutomation',
      'WebhookUrlAcmeCloud',
      'WebhookUrlAcmeDc',
    ]);
    expect(JSON.stringify(outputs.WebhookUrlAcmeDc?.Value)).toMatch(/\/webhooks\/acme-dc"\]\]\}$/);
    expect(outputs.WebhookUrlAcmeDc?.Description).toContain(
      '?token=<value of secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:jira-sync/acme-dc/webhook>',
    );
    expect(outputs.WebhookUrlAcmeAutomation?.Description).toContain(
      'Authorization: Bearer <value of secret jira-sync/acme-automation/webhook>',
    );
  });
});
