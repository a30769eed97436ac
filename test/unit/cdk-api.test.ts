import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, cfnProperties, logicalId, sharedStack, testApp } from './cdk-test-stack.ts';

describe('WebhookIngest API', () => {
  it('routes POST /webhooks/{connectionId} to the ingest function', () => {
    const { template } = sharedStack();

    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/{connectionId}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('routes GET /oauth/{connectionId}/start and /callback to the OAuth function on the same API', () => {
    const { template, stack } = sharedStack();
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties as { RouteKey: string; ApiId: unknown; Target: unknown },
    );
    const integrations = template.toJSON().Resources as Record<
      string,
      { Properties: { IntegrationUri?: unknown } }
    >;
    const targetOf = (routeKey: string) => {
      const route = routes.find((r) => r.RouteKey === routeKey);
      const id = JSON.stringify(route?.Target).match(/integrations\/",\{"Ref":"([^"]+)"/)?.[1] ?? '';
      return integrations[id]?.Properties.IntegrationUri;
    };

    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'GET /oauth/{connectionId}/callback',
      'GET /oauth/{connectionId}/start',
      'POST /webhooks/{connectionId}',
    ]);
    expect(new Set(routes.map((r) => JSON.stringify(r.ApiId))).size).toBe(1);
    const oauth = { 'Fn::GetAtt': [logicalId(stack.oauth?.handler ?? stack), 'Arn'] };
    expect(targetOf('GET /oauth/{connectionId}/start')).toEqual(oauth);
    expect(targetOf('GET /oauth/{connectionId}/callback')).toEqual(oauth);
  });

  it('creates no OAuth function or routes when no connection uses OAuth', () => {
    const stack = buildStack(testApp(), 'jira-sync.config.example.yaml');
    const template = Template.fromStack(stack);

    expect(stack.oauth).toBeUndefined();
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
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

  it('outputs one webhook URL per connection and the operational outputs', () => {
    const { template } = sharedStack();
    const outputs = template.toJSON().Outputs as Record<string, { Description: string; Value: unknown }>;

    expect(Object.keys(outputs).sort()).toEqual([
      'AlarmTopicArn',
      'DashboardUrl',
      'OAuthStartUrlAcmeOauth',
      'StateTableName',
      'WebhookRegistrarFunction',
      'WebhookRegistration',
      'WebhookUrlAcmeAutomation',
      'WebhookUrlAcmeCloud',
      'WebhookUrlAcmeDc',
      'WebhookUrlAcmeOauth',
    ]);
    expect(JSON.stringify(outputs.WebhookUrlAcmeDc?.Value)).toMatch(/\/webhooks\/acme-dc"\]\]\}$/);
    expect(outputs.WebhookUrlAcmeAutomation?.Description).toContain(
      'Authorization: Bearer <value of secret jira-sync/acme-automation/webhook>',
    );
  });

  it('says which webhooks jira-sync registers itself', () => {
    const { template } = sharedStack();
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;

    expect(outputs.WebhookUrlAcmeDc?.Description).toContain(
      'registered in Jira by jira-sync (webhook.register: admin)',
    );
    expect(outputs.WebhookUrlAcmeOauth?.Description).toContain('(webhook.register: dynamic)');
    expect(outputs.WebhookUrlAcmeAutomation?.Description).not.toContain('registered');
  });

  it('says where the token of a url-token connection registered by hand comes from', () => {
    const template = Template.fromStack(buildStack(testApp(), 'jira-sync.config.example.yaml'));
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;

    expect(outputs.WebhookUrlAcmeDc?.Description).toContain(
      'append ?token=<value of secret jira-sync/acme-dc/webhook>',
    );
    expect(outputs.WebhookUrlAcmeCloud?.Description).toContain(
      'set the Jira webhook secret to the value of secret jira-sync/acme-cloud/webhook',
    );
  });

  it('outputs the consent start URL of each OAuth connection and names its callback URL', () => {
    const { template } = sharedStack();
    const outputs = template.toJSON().Outputs as Record<string, { Description: string; Value: unknown }>;

    expect(JSON.stringify(outputs.OAuthStartUrlAcmeOauth?.Value)).toMatch(
      /\/oauth\/acme-oauth\/start"\]\]\}$/,
    );
    expect(outputs.OAuthStartUrlAcmeOauth?.Description).toContain('/oauth/acme-oauth/callback');
  });
});
