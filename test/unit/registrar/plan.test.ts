import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../../shared/config/load.ts';
import {
  ADMIN_WEBHOOK_EVENTS,
  DYNAMIC_WEBHOOK_EVENTS,
  projectJql,
  projectsOf,
  registeringConnections,
  registrationPlan,
  webhookName,
  webhookUrl,
} from '../../../shared/registrar/plan.ts';

describe('registrationPlan', () => {
  it('plans one webhook per connection with webhook.register, filtered to the projects of its flows', () => {
    const config = loadConfigFile('test/fixtures/config/valid.yaml');

    expect(registrationPlan(config).map((r) => [r.connectionId, r.mode, r.jql])).toEqual([
      ['acme-cloud', 'admin', 'project IN ("HELP", "OPS")'],
      ['acme-dc', 'admin', 'project IN ("ENG")'],
      ['acme-oauth', 'dynamic', 'project IN ("APP")'],
    ]);
    expect(registeringConnections(config).map((c) => c.id)).toEqual(['acme-cloud', 'acme-dc', 'acme-oauth']);
  });

  it('registers nothing by default', () => {
    const config = loadConfigFile('jira-sync.config.example.yaml');

    expect(registrationPlan(config)).toEqual([]);
  });

  it('gives admin webhooks every issue, comment, link, worklog and attachment event', () => {
    expect([...ADMIN_WEBHOOK_EVENTS].sort()).toEqual([
      'attachment_created',
      'attachment_deleted',
      'comment_created',
      'comment_deleted',
      'comment_updated',
      'issuelink_created',
      'issuelink_deleted',
      'jira:issue_created',
      'jira:issue_deleted',
      'jira:issue_updated',
      'worklog_created',
      'worklog_deleted',
      'worklog_updated',
    ]);
  });

  it('gives dynamic webhooks only the events the dynamic webhook API accepts', () => {
    expect(DYNAMIC_WEBHOOK_EVENTS).toEqual([
      'jira:issue_created',
      'jira:issue_updated',
      'jira:issue_deleted',
      'comment_created',
      'comment_updated',
      'comment_deleted',
    ]);
  });

  it('leaves the JQL undefined for a connection no flow uses', () => {
    const config = parseConfigText(
      JSON.stringify({
        connections: [
          {
            id: 'idle',
            flavor: 'cloud',
            baseUrl: 'https://idle.atlassian.net',
            auth: { type: 'basic', secret: 'a' },
            webhook: { verify: 'hmac', secret: 'w', register: 'admin' },
          },
        ],
      }),
      'plan-test.json',
    );

    expect(registrationPlan(config)).toEqual([
      { connectionId: 'idle', mode: 'admin', events: [...ADMIN_WEBHOOK_EVENTS], jql: undefined },
    ]);
  });
});

describe('projectJql', () => {
  it('quotes each project key (the one filter shape admin and dynamic webhooks both take)', () => {
    expect(projectJql(['HELP', 'OPS'])).toBe('project IN ("HELP", "OPS")');
    expect(projectJql([])).toBeUndefined();
  });
});

describe('projectsOf', () => {
  it('collects both sides of every flow, upper-cased, sorted and distinct', () => {
    const flows = [
      { source: { connection: 'a', project: 'ops' }, target: { connection: 'b', project: 'ENG' } },
      { source: { connection: 'b', project: 'HELP' }, target: { connection: 'a', project: 'OPS' } },
      { source: { connection: 'a', project: 'HELP' }, target: { connection: 'c', project: 'X' } },
    ];

    expect(projectsOf({ flows } as unknown as Parameters<typeof projectsOf>[0], 'a')).toEqual([
      'HELP',
      'OPS',
    ]);
    expect(projectsOf({ flows } as unknown as Parameters<typeof projectsOf>[0], 'z')).toEqual([]);
  });
});

describe('webhook names and URLs', () => {
  it('builds the URL from the stage URL, with or without its trailing slash', () => {
    expect(webhookUrl('https://abc.execute-api.eu-west-1.amazonaws.com/', 'acme-dc')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/acme-dc',
    );
    expect(webhookUrl('https://jira-sync.acme.example/prod', 'acme-dc')).toBe(
      'https://jira-sync.acme.example/prod/webhooks/acme-dc',
    );
  });

  it('names the admin webhook after the connection', () => {
    expect(webhookName('acme-cloud')).toBe('jira-sync acme-cloud');
  });
});
