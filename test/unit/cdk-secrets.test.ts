import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { PlaceholderSecrets } from '../../cdk/constructs/placeholder-secrets.ts';
import { contextOptions } from '../../cdk/context.ts';
import { JiraSyncStack } from '../../cdk/jira-sync-stack.ts';
import { loadConfigSource } from '../../shared/config/load.ts';
import { ACCOUNT, logicalId, REGION, sharedStack, testApp, VALID_CONFIG } from './cdk-test-stack.ts';

const { config, document } = loadConfigSource(VALID_CONFIG);

let withPlaceholders: { stack: JiraSyncStack; template: Template } | undefined;

/** The fixture stack with `placeholderSecrets: 'all'`, built once. */
function placeholderStack(): { stack: JiraSyncStack; template: Template } {
  if (!withPlaceholders) {
    const stack = new JiraSyncStack(testApp(), 'JiraSync', {
      env: { account: ACCOUNT, region: REGION },
      config,
      bundledConfig: { source: VALID_CONFIG, document },
      placeholderSecrets: 'all',
    });
    withPlaceholders = { stack, template: Template.fromStack(stack) };
  }
  return withPlaceholders;
}

function secrets(
  template: Template,
): Record<string, { Properties: Record<string, unknown>; DeletionPolicy?: string }> {
  return template.findResources('AWS::SecretsManager::Secret') as Record<
    string,
    { Properties: Record<string, unknown>; DeletionPolicy?: string }
  >;
}

describe('placeholder secrets', () => {
  it('creates no secret by default', () => {
    expect(secrets(sharedStack().template)).toEqual({});
  });

  it('creates every secret the config names by name, once each; secrets given by ARN exist already', () => {
    const names = Object.values(secrets(placeholderStack().template)).map((s) => s.Properties.Name);

    expect(names.sort()).toEqual([
      'jira-sync/acme-automation/webhook',
      'jira-sync/acme-cloud/auth',
      'jira-sync/acme-cloud/webhook',
      'jira-sync/acme-oauth/auth',
      'jira-sync/acme-oauth/webhook',
    ]);
  });

  it('creates Jira credentials empty and lets Secrets Manager generate webhook secrets: no value in the template', () => {
    const byName = new Map(
      Object.values(secrets(placeholderStack().template)).map((s) => [s.Properties.Name, s.Properties]),
    );

    expect(byName.get('jira-sync/acme-cloud/auth')).not.toHaveProperty('GenerateSecretString');
    expect(byName.get('jira-sync/acme-cloud/webhook')).toMatchObject({
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
    for (const properties of byName.values()) expect(properties).not.toHaveProperty('SecretString');
  });

  it('retains the secrets on stack deletion (they hold what was filled in)', () => {
    for (const secret of Object.values(secrets(placeholderStack().template))) {
      expect(secret.DeletionPolicy).toBe('Retain');
    }
  });

  it('outputs a fill-in command with the JSON shape for credentials and a read command for webhook secrets', () => {
    const outputs = placeholderStack().template.toJSON().Outputs as Record<
      string,
      { Value: string; Description: string }
    >;

    expect(outputs.FillSecretJiraSyncAcmeCloudAuth).toEqual({
      Value: `aws secretsmanager put-secret-value --secret-id jira-sync/acme-cloud/auth --secret-string '{"email":"<integration account e-mail>","apiToken":"<API token>"}'`,
      Description: expect.stringMatching(
        /^Created EMPTY: .*Jira credentials \(basic\) of connection acme-cloud; Jira credentials \(basic\) of connection acme-automation/,
      ),
    });
    expect(outputs.FillSecretJiraSyncAcmeOauthAuth?.Value).toContain(
      `'{"clientId":"<OAuth client id>","clientSecret":"<OAuth client secret>"}'`,
    );
    expect(outputs.FillSecretJiraSyncAcmeCloudWebhook).toEqual({
      Value:
        'aws secretsmanager get-secret-value --secret-id jira-sync/acme-cloud/webhook --query SecretString --output text',
      Description: expect.stringContaining('Created with a random value'),
    });
  });

  it('creates the secrets before the first webhook registration reads them', () => {
    const { template, stack } = placeholderStack();
    const registrar = stack.registrar;
    if (!registrar) throw new Error('the fixture registers webhooks');
    const dependsOn = template.toJSON().Resources[logicalId(registrar.customResource)].DependsOn as string[];

    for (const placeholder of stack.placeholderSecrets?.placeholders ?? []) {
      expect(dependsOn).toContain(logicalId(placeholder.resource));
    }
  });

  it('is cdk-nag clean, rotation acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(placeholderStack().stack);

    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('creates only the listed secrets', () => {
    const stack = new Stack(testApp(), 'S');
    const made = new PlaceholderSecrets(stack, 'P', { config, names: ['jira-sync/acme-oauth/auth'] });

    expect(made.placeholders.map((p) => [p.name, p.kind])).toEqual([
      ['jira-sync/acme-oauth/auth', 'credentials'],
    ]);
  });

  it('refuses a name the config does not use, and an ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jira-sync/acme-dc/webhook';

    expect(
      () => new PlaceholderSecrets(new Stack(testApp(), 'S'), 'P', { config, names: ['jira-sync/typo'] }),
    ).toThrow('S/P: placeholder secrets "jira-sync/typo" are not named by the config');
    expect(() => new PlaceholderSecrets(new Stack(testApp(), 'S'), 'P', { config, names: [arn] })).toThrow(
      `S/P: ${arn} is an ARN, i.e. an existing secret`,
    );
  });
});

describe('context options (npx cdk deploy -c key=value)', () => {
  const from = (values: Record<string, unknown>) => contextOptions((key) => values[key]);

  it('sets nothing by default', () => {
    expect(from({})).toEqual({});
  });

  it('reads placeholderSecrets as true or a comma-separated list', () => {
    expect(from({ placeholderSecrets: 'true' })).toEqual({ placeholderSecrets: 'all' });
    expect(from({ placeholderSecrets: true })).toEqual({ placeholderSecrets: 'all' });
    expect(from({ placeholderSecrets: 'a/b, c/d' })).toEqual({ placeholderSecrets: ['a/b', 'c/d'] });
    expect(from({ placeholderSecrets: 'false' })).toEqual({});
  });

  it('reads the sweep and refresh intervals and the state removal policy', () => {
    expect(
      from({ sweepIntervalMinutes: '15', webhookRefreshDays: 10, stateRemovalPolicy: 'destroy' }),
    ).toEqual({
      sweepInterval: Duration.minutes(15),
      webhookRefreshInterval: Duration.days(10),
      stateRemovalPolicy: RemovalPolicy.DESTROY,
    });
  });

  it.each([
    [
      { sweepIntervalMinutes: 'often' },
      'context sweepIntervalMinutes must be a whole number from 1 to 1440 (got "often")',
    ],
    [{ webhookRefreshDays: 30 }, 'context webhookRefreshDays must be a whole number from 1 to 25 (got 30)'],
    [
      { stateRemovalPolicy: 'snapshot' },
      'context stateRemovalPolicy must be "retain" or "destroy" (got "snapshot")',
    ],
    [
      { placeholderSecrets: 3 },
      'context placeholderSecrets must be true (every secret the config names) or a comma-separated list',
    ],
  ])('rejects %j with a readable message', (values, message) => {
    expect(() => from(values)).toThrow(message);
  });
});
