import { describe, expect, it } from 'vitest';
import { manualWebhookSteps } from '../../../shared/cli/doctor.ts';
import { cannotRegister } from '../../../shared/cli/webhooks.ts';
import { type Connection, configSchema } from '../../../shared/config/schema.ts';

const config = configSchema.parse({
  connections: [
    {
      id: 'acme-cloud',
      flavor: 'cloud',
      baseUrl: 'https://acme.atlassian.net',
      auth: { type: 'basic', secret: 'jira-sync/acme-cloud/auth' },
      webhook: { verify: 'hmac', secret: 'jira-sync/acme-cloud/webhook' },
    },
    {
      id: 'acme-dc',
      flavor: 'datacenter',
      baseUrl: 'https://jira.acme.internal',
      auth: { type: 'pat', secret: 'jira-sync/acme-dc/auth' },
      webhook: { verify: 'url-token', secret: 'jira-sync/acme-dc/webhook' },
    },
    {
      id: 'acme-auto',
      flavor: 'cloud',
      baseUrl: 'https://auto.atlassian.net',
      auth: { type: 'basic', secret: 'jira-sync/acme-auto/auth' },
      webhook: { verify: 'bearer', secret: 'jira-sync/acme-auto/webhook' },
    },
  ],
  flows: [
    {
      id: 'help-to-eng',
      source: { connection: 'acme-cloud', project: 'HELP' },
      target: { connection: 'acme-dc', project: 'ENG', issueType: 'Bug' },
    },
  ],
});
const connection = (id: string) => config.connections.find((c) => c.id === id) as Connection;
const URL = 'https://abc.execute-api.eu-west-1.amazonaws.com';

describe('manual webhook steps', () => {
  it('Cloud admin webhook: menu, URL, which secret to paste, events and JQL; never a secret value', () => {
    const steps = manualWebhookSteps(config, connection('acme-cloud'), `${URL}/webhooks/acme-cloud`);

    expect(steps).toEqual([
      'register it by hand (a Jira administrator):',
      '  Jira settings (cog) → System → WebHooks → Create a WebHook',
      `  URL: ${URL}/webhooks/acme-cloud`,
      '  Secret: the value of secret jira-sync/acme-cloud/webhook',
      expect.stringMatching(/^ {2}Events: jira:issue_created, .*attachment_deleted$/),
      '  JQL filter: project IN ("HELP")',
      '  or let jira-sync do it: jira-sync webhooks register --connection acme-cloud (or webhook.register: admin)',
    ]);
  });

  it('Data Center: the token goes into the URL, named by its secret', () => {
    const steps = manualWebhookSteps(config, connection('acme-dc'), undefined);

    expect(steps).toContain('  Administration (cog) → System → WebHooks → Create a WebHook');
    expect(steps).toContain(
      '  URL: <api url>/webhooks/acme-dc?token=<the value of secret jira-sync/acme-dc/webhook>',
    );
  });

  it('Automation (bearer) is a rule to create by hand; the CLI cannot register it', () => {
    const steps = manualWebhookSteps(config, connection('acme-auto'), `${URL}/webhooks/acme-auto`);

    expect(steps).toContain(
      '  header Authorization: Bearer <the value of secret jira-sync/acme-auto/webhook>',
    );
    expect(cannotRegister(connection('acme-auto'))).toMatch(/Jira Automation/);
    expect(cannotRegister(connection('acme-dc'))).toBeUndefined();
  });
});
