import { describe, expect, it } from 'vitest';
import {
  createAdminWebhook,
  deleteAdminWebhook,
  deleteDynamicWebhooks,
  listAdminWebhooks,
  listDynamicWebhooks,
  refreshDynamicWebhooks,
  registerDynamicWebhooks,
  updateAdminWebhook,
} from '../../shared/jira/platform/webhooks.ts';
import { example } from '../helpers/jira-examples.ts';
import { useJira } from '../helpers/jira-fixture.ts';

const jira = useJira({ flavor: 'cloud' });

// Admin webhooks are in no OpenAPI file: this is the documented answer of /rest/webhooks/1.0/webhook
// (developer.atlassian.com, "Webhooks": register, query and delete via the REST API).
const adminWebhook = (id: number, overrides: Record<string, unknown> = {}) => ({
  name: 'jira-sync acme-cloud',
  url: 'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/acme-cloud',
  excludeBody: false,
  filters: { 'issue-related-events-section': 'project = ENG' },
  events: ['jira:issue_created', 'jira:issue_updated', 'comment_created'],
  enabled: true,
  self: `https://acme.atlassian.net/rest/webhooks/1.0/webhook/${id}`,
  lastUpdatedUser: '5b10ac8d82e05b22cc7d4ef5',
  lastUpdatedDisplayName: 'jira-sync',
  lastUpdated: 1741946400000,
  ...overrides,
});

describe('admin webhooks (/rest/webhooks/1.0/webhook)', () => {
  const input = {
    name: 'jira-sync acme-cloud',
    url: 'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/acme-cloud',
    events: ['jira:issue_created', 'jira:issue_updated', 'comment_created'],
    jql: 'project = ENG',
    secret: 'webhook-secret-never-logged',
  };

  it('registers a webhook with a JQL filter and a secret, reading its id from `self`', async () => {
    jira.server.on('POST', '/rest/webhooks/1.0/webhook', { status: 201, json: adminWebhook(7) });

    const created = await createAdminWebhook(jira.client, input);

    expect(created).toMatchObject({ id: '7', jql: 'project = ENG', enabled: true });
    expect(jira.server.requests[0]?.json).toEqual({
      name: input.name,
      url: input.url,
      events: input.events,
      filters: { 'issue-related-events-section': 'project = ENG' },
      excludeBody: false,
      secret: 'webhook-secret-never-logged',
    });
  });

  it('lists, updates and deletes webhooks', async () => {
    jira.server.on('GET', '/rest/webhooks/1.0/webhook', {
      status: 200,
      json: [adminWebhook(7), adminWebhook(8, { name: 'other' })],
    });
    jira.server.on('PUT', '/rest/webhooks/1.0/webhook/7', {
      status: 200,
      json: adminWebhook(7, { events: ['jira:issue_deleted'] }),
    });
    jira.server.on('DELETE', '/rest/webhooks/1.0/webhook/8', { status: 204 });

    const listed = await listAdminWebhooks(jira.client);
    const updated = await updateAdminWebhook(jira.client, '7', { ...input, events: ['jira:issue_deleted'] });
    await deleteAdminWebhook(jira.client, '8');

    expect(listed.map((w) => [w.id, w.name])).toEqual([
      ['7', 'jira-sync acme-cloud'],
      ['8', 'other'],
    ]);
    expect(updated.events).toEqual(['jira:issue_deleted']);
    expect(jira.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /rest/webhooks/1.0/webhook',
      'PUT /rest/webhooks/1.0/webhook/7',
      'DELETE /rest/webhooks/1.0/webhook/8',
    ]);
  });
});

describe('dynamic webhooks (/rest/api/2/webhook, OAuth apps)', () => {
  it('registers webhooks and reports per-webhook errors', async () => {
    jira.server.on('POST', '/rest/api/2/webhook', { status: 200, json: example('registerDynamicWebhooks') });

    const results = await registerDynamicWebhooks(
      jira.client,
      'https://abc.example/webhooks/acme-oauth?token=t',
      [
        { events: ['jira:issue_created'], jqlFilter: 'project = ENG' },
        { events: ['jira:issue_updated'], jqlFilter: 'watchCount > 1' },
        { events: ['comment_created'], jqlFilter: 'project = ENG', fieldIdsFilter: ['summary'] },
      ],
    );

    expect(results).toEqual([
      { id: '1000' },
      { errors: ['The clause watchCount is unsupported'] },
      { id: '1001' },
    ]);
  });

  it('lists, refreshes (30-day expiry) and deletes webhooks by id', async () => {
    const page = example<{ values: Record<string, unknown>[] }>('getDynamicWebhooksForApp');
    // Atlassian's schema says epoch ms; its example an ISO string: serve what the schema says.
    for (const w of page.values) w.expirationDate = 1559392950000;
    jira.server.on('GET', '/rest/api/2/webhook', { status: 200, json: page });
    jira.server.on('PUT', '/rest/api/2/webhook/refresh', {
      status: 200,
      json: { expirationDate: 1562071350000 },
    });
    jira.server.on('DELETE', '/rest/api/2/webhook', { status: 202 });

    const listed = await listDynamicWebhooks(jira.client);
    const expires = await refreshDynamicWebhooks(
      jira.client,
      listed.map((w) => w.id),
    );
    await deleteDynamicWebhooks(jira.client, ['10002']);

    expect(listed.map((w) => w.id)).toEqual(['10000', '10001', '10002']);
    expect(expires).toBe(1562071350000);
    expect(jira.server.requestsTo('PUT', '/rest/api/2/webhook/refresh')[0]?.json).toEqual({
      webhookIds: [10000, 10001, 10002],
    });
    expect(jira.server.requestsTo('DELETE', '/rest/api/2/webhook')[0]?.json).toEqual({ webhookIds: [10002] });
  });
});
