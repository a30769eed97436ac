import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalise } from '../../shared/webhook/normalise.ts';
import { verifySignature } from '../../shared/webhook/signature.ts';
import type { ManualClock } from '../../simulator/clock.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { Site } from '../../simulator/site.ts';
import { ADMIN_EVENTS } from '../../simulator/webhooks/registry.ts';
import { CLIENT, call, type Received, type Receiver, startReceiver, startTwoSites } from './helpers.ts';

const SECRET = "It's a Secret to Everybody";
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const keys = (o: unknown) => Object.keys(o as Record<string, unknown>).sort();

function normalised(r: Received, connectionId = 'c') {
  const headers = Object.fromEntries(
    Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
  );
  return normalise(r.json(), { connectionId, headers, body: r.body, receivedAt: 0 });
}

function event(receiver: Receiver, name: string): Received {
  const found = receiver.requests.find((r) => r.body.length > 0 && r.json().webhookEvent === name);
  if (!found)
    throw new Error(`no ${name} among ${receiver.requests.map((r) => r.json().webhookEvent).join(', ')}`);
  return found;
}

describe('webhooks', () => {
  let sim: Simulator;
  let cloud: Site;
  let dc: Site;
  let clock: ManualClock;
  let receiver: Receiver;

  beforeEach(async () => {
    ({ sim, cloud, dc, clock } = await startTwoSites());
    receiver = await startReceiver();
  });
  afterEach(async () => {
    sim.assertNoContractViolations();
    await sim.stop();
    await receiver.stop();
  });

  describe('Cloud admin webhooks', () => {
    beforeEach(() => {
      cloud.webhooks.registerAdmin({
        name: 'sync',
        url: `${receiver.url}/hook`,
        events: [...ADMIN_EVENTS],
        secret: SECRET,
      });
    });

    it('signs the raw body so our ingest verifies it, with Cloud delivery headers', async () => {
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'Staging VPN login fails' });
      await sim.settle();

      const r = event(receiver, 'jira:issue_created');
      expect(verifySignature(r.headers['x-hub-signature'] as string, r.body, [SECRET])).toEqual({ ok: true });
      expect(verifySignature(r.headers['x-hub-signature'] as string, r.body, ['wrong'])).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
      expect(r.headers).toMatchObject({
        'content-type': 'application/json; charset=UTF-8',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-atlassian-webhook-flow': 'Primary',
        'x-atlassian-webhook-identifier': expect.stringMatching(/^\d+$/),
      });
      expect(r.headers['x-atlassian-webhook-retry']).toBeUndefined();
    });

    it('sends issue events shaped like Jira Cloud that normalise to SyncEvents', async () => {
      const issue = cloud
        .as('alice')
        .createIssue({ project: 'ENG', summary: 'VPN', priority: 'High', assignee: 'bob' });
      cloud.as('bob').transition(issue.key, 'In Progress');
      await sim.settle();

      const created = event(receiver, 'jira:issue_created').json();
      expect(keys(created)).toEqual(keys(fixture('cloud-issue-created')));
      expect(created).toMatchObject({
        issue_event_type_name: 'issue_created',
        issue: { id: issue.id, key: issue.key },
      });
      const createdItems = (created.changelog as { items: { field: string; fieldId?: string }[] }).items;
      expect(createdItems).toContainEqual(expect.objectContaining({ field: 'Status', fieldId: 'status' }));
      expect(createdItems.find((i) => i.field === 'assignee')).toHaveProperty(
        'tmpToAccountId',
        cloud.user('bob').accountId,
      );

      const updated = event(receiver, 'jira:issue_updated');
      expect(updated.json()).toMatchObject({
        issue_event_type_name: 'issue_generic',
        user: { accountId: cloud.user('bob').accountId },
      });
      expect(normalised(updated)).toEqual({
        type: 'events',
        events: [
          expect.objectContaining({
            issue: { id: issue.id, key: issue.key },
            kind: 'issue_updated',
            eventTypeName: 'issue_generic',
            actor: { accountId: cloud.user('bob').accountId },
            changedFields: ['status'],
            webhookId: updated.headers['x-atlassian-webhook-identifier'],
          }),
        ],
      });
    });

    it('carries the trimmed issue on comment events and jsdPublic on every comment', async () => {
      const request = cloud
        .as('carol')
        .raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary: 'Cannot log in' });
      cloud.as('alice').reply(request.key, 'Internal: looks like SSO.', { internal: true });
      cloud.as('alice').reply(request.key, 'We are looking into it.');
      await sim.settle();

      const comments = receiver.requests
        .map((r) => r.json())
        .filter((b) => b.webhookEvent === 'comment_created');
      expect(comments.map((b) => (b.comment as { jsdPublic: boolean }).jsdPublic)).toEqual([false, true]);
      const sample = fixture('jsm-comment-created-internal');
      expect(keys(comments[0])).toEqual(keys(sample));
      expect(keys((comments[0]?.issue as { fields: unknown } | undefined)?.fields)).toEqual(
        keys((sample.issue as { fields: unknown }).fields),
      );
      expect(comments[0]).not.toHaveProperty('user');
      expect(normalised(event(receiver, 'comment_created'))).toMatchObject({
        events: [{ kind: 'comment_created', issue: { id: request.id } }],
      });
    });

    it('sends issue links with numeric ids only, and attachments without any issue', async () => {
      const a = cloud.as('alice').createIssue({ project: 'ENG', summary: 'A' });
      const b = cloud.as('alice').createIssue({ project: 'ENG', summary: 'B' });
      cloud.as('alice').link(a.key, b.key, 'Blocks');
      cloud.as('alice').attach(a.key, { filename: 'trace.txt', content: 'boom', mimeType: 'text/plain' });
      await sim.settle();

      const link = event(receiver, 'issuelink_created').json();
      expect(link).toEqual({
        timestamp: expect.any(Number),
        webhookEvent: 'issuelink_created',
        issueLink: {
          id: expect.any(Number),
          sourceIssueId: Number(a.id),
          destinationIssueId: Number(b.id),
          issueLinkType: expect.objectContaining({
            name: 'Blocks',
            outwardName: 'blocks',
            inwardName: 'is blocked by',
          }),
          systemLink: false,
        },
      });
      const attachment = event(receiver, 'attachment_created').json();
      expect(keys(attachment)).toEqual(keys(fixture('cloud-attachment-created')));
      expect(attachment.attachment).not.toHaveProperty('issueId');
      expect(normalised(event(receiver, 'attachment_created'))).toEqual({
        type: 'no-issue',
        webhookEvent: 'attachment_created',
      });
      const upload = receiver.requests
        .map((r) => r.json())
        .find((x) => (x.changelog as { items?: { field: string }[] })?.items?.[0]?.field === 'Attachment');
      expect(upload).toMatchObject({ webhookEvent: 'jira:issue_updated', issue: { id: a.id } });
    });

    it('sends worklog and issue property events', async () => {
      const issue = cloud.as('bob').createIssue({ project: 'ENG', summary: 'Work' });
      cloud.as('bob').logWork(issue.key, 3600, 'Debugged the gateway');
      cloud.as('bob').setProperty(issue.key, 'jira-sync.state', { peer: 'HELP-1' });
      await sim.settle();

      expect(keys(event(receiver, 'worklog_created').json())).toEqual(keys(fixture('cloud-worklog-created')));
      expect(normalised(event(receiver, 'worklog_created'))).toMatchObject({
        events: [{ kind: 'worklog_created', issue: { id: issue.id } }],
      });
      expect(event(receiver, 'issue_property_set').json()).toMatchObject({
        property: { key: 'jira-sync.state', value: { peer: 'HELP-1' } },
        issue: { id: issue.id },
      });
    });

    it('applies the webhook JQL filter', async () => {
      cloud.webhooks.registerAdmin({
        name: 'help only',
        url: `${receiver.url}/help`,
        events: ['jira:issue_created'],
        filters: { 'issue-related-events-section': 'project = HELP' },
      });
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'not for HELP' });
      await sim.settle();

      expect(receiver.requests.filter((r) => r.url === '/help')).toEqual([]);
    });
  });

  describe('Data Center', () => {
    it('sends unsigned webhooks without delivery ids, keeps the URL token, and comment events carry no issue', async () => {
      dc.webhooks.registerAdmin({
        name: 'sync',
        url: `${receiver.url}/hook?token=abc`,
        events: [...ADMIN_EVENTS],
        secret: SECRET,
      });
      const issue = dc.as('alice').createIssue({ project: 'ENG', summary: 'DC issue' });
      dc.as('bob').comment(issue.key, 'On it.');
      dc.as('bob').transition(issue.key, 'In Progress');
      dc.as('bob').attach(issue.key, { filename: 'a.txt', content: 'x' });
      await sim.settle();

      expect(receiver.requests.every((r) => r.url === '/hook?token=abc')).toBe(true);
      for (const r of receiver.requests) {
        expect(r.headers['x-hub-signature']).toBeUndefined();
        expect(r.headers['x-atlassian-webhook-identifier']).toBeUndefined();
      }
      const created = event(receiver, 'jira:issue_created').json();
      expect(created).not.toHaveProperty('changelog');
      expect((created.user as Record<string, unknown>).name).toBe('alice');
      const comment = event(receiver, 'comment_created');
      expect(keys(comment.json())).toEqual(keys(fixture('dc-comment-created')));
      expect(normalised(comment)).toMatchObject({
        events: [{ issue: { id: issue.id }, actor: { username: 'bob' } }],
      });
      const transition = receiver.requests
        .map((r) => r.json())
        .find((b) => b.issue_event_type_name === 'issue_generic');
      expect(
        (transition?.changelog as { items: Record<string, unknown>[] } | undefined)?.items[0],
      ).not.toHaveProperty('fieldId');
      expect(receiver.requests.map((r) => r.json().webhookEvent)).not.toContain('attachment_created');
    });

    it('does not retry a failed delivery', async () => {
      dc.webhooks.registerAdmin({ name: 'sync', url: receiver.url, events: ['jira:issue_created'] });
      receiver.respond = () => 503;
      dc.as('alice').createIssue({ project: 'ENG', summary: 'x' });
      await sim.settle();
      await clock.advance(3_600_000);

      expect(receiver.requests).toHaveLength(1);
    });
  });

  describe('retries (Jira Cloud)', () => {
    beforeEach(() => {
      cloud.webhooks.registerAdmin({ name: 'sync', url: receiver.url, events: ['jira:issue_created'] });
    });

    it.each([408, 409, 425, 429, 500, 503])(
      'retries %i with the same identifier and a retry count',
      async (status) => {
        receiver.respond = (_r, i) => (i === 0 ? status : 202);
        cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
        await sim.settle();
        expect(receiver.requests).toHaveLength(1);

        await clock.advance(15_000);
        await sim.settle();

        const [first, second] = receiver.requests;
        expect(receiver.requests).toHaveLength(2);
        expect(second?.headers['x-atlassian-webhook-identifier']).toBe(
          first?.headers['x-atlassian-webhook-identifier'],
        );
        expect(second?.headers['x-atlassian-webhook-retry']).toBe('1');
        expect(second?.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
      },
    );

    it('does not retry a 4xx other than 408/409/425/429', async () => {
      receiver.respond = () => 400;
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
      await sim.settle();
      await clock.advance(3_600_000);

      expect(receiver.requests).toHaveLength(1);
    });

    it('retries a timeout', async () => {
      receiver.respond = (_r, i) => (i === 0 ? 'hang' : 202);
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
      await new Promise((r) => setTimeout(r, 50));
      await clock.advance(10_000);
      await clock.advance(15_000);
      await sim.settle();

      expect(receiver.requests.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1']);
      expect(cloud.webhooks.deliveries()[0]).toMatchObject({ error: 'timeout' });
    });

    it('gives up after five retries within about thirty minutes', async () => {
      receiver.respond = () => 500;
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
      await sim.settle();
      for (let i = 0; i < 10; i++) {
        await clock.advance(5 * 60_000);
        await sim.settle();
      }

      expect(receiver.requests.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual([
        undefined,
        '1',
        '2',
        '3',
        '4',
        '5',
      ]);
      expect(cloud.webhooks.failures()).toHaveLength(1);
    });
  });

  describe('dynamic webhooks (OAuth 2.0 apps)', () => {
    /** Each call with a fresh access token: they expire after an hour of simulated time. */
    const gw = (method: string, path: string, body?: unknown) => {
      const token = sim.oauth.grant({
        clientId: CLIENT.clientId,
        accountId: cloud.user('jira-sync').accountId ?? '',
        scopes: ['manage:jira-webhook'],
      });
      return call(
        `${sim.gatewayUrl}/ex/jira/${cloud.cloudId}`,
        `Bearer ${token.access_token}`,
        method,
        path,
        body,
      );
    };

    async function register(jqlFilter: string, events = ['jira:issue_created', 'jira:issue_updated']) {
      const res = await gw('POST', '/rest/api/2/webhook', {
        url: receiver.url,
        webhooks: [{ events, jqlFilter }],
      });
      return { res };
    }

    it('delivers matching events with matchedWebhookIds, filtered by JQL', async () => {
      const { res } = await register('project = ENG AND issuetype = Bug');
      const id = res.json.webhookRegistrationResult[0].createdWebhookId;
      cloud.as('alice').createIssue({ project: 'ENG', issueType: 'Task', summary: 'a task' });
      cloud.as('alice').createIssue({ project: 'ENG', issueType: 'Bug', summary: 'a bug' });
      await sim.settle();

      expect(receiver.requests.map((r) => r.json())).toEqual([
        expect.objectContaining({ matchedWebhookIds: [id], webhookEvent: 'jira:issue_created' }),
      ]);
    });

    it('refuses JQL outside the webhook subset and events dynamic webhooks do not support', async () => {
      const { res } = await register('summary ~ vpn');
      const { res: res2 } = await register('project = ENG', ['issuelink_created']);

      expect(res.json.webhookRegistrationResult[0].errors[0]).toContain('summary');
      expect(res2.json.webhookRegistrationResult[0].errors[0]).toContain('issuelink_created');
      // The contract lists the events dynamic webhooks take, so the bad registration is also reported.
      expect(cloud.contractViolations()).toEqual([
        expect.objectContaining({ direction: 'request', operationId: 'registerDynamicWebhooks' }),
      ]);
      cloud.clearContractViolations();
    });

    it('expires after 30 days unless refreshed', async () => {
      const { res } = await register('project = ENG');
      const id = res.json.webhookRegistrationResult[0].createdWebhookId;
      await clock.advance(29 * 86_400_000);
      await gw('PUT', '/rest/api/2/webhook/refresh', { webhookIds: [id] });
      await clock.advance(29 * 86_400_000);
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'still delivered' });
      await sim.settle();
      await clock.advance(2 * 86_400_000);
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'expired' });
      await sim.settle();

      expect(
        receiver.requests.map((r) => (r.json().issue as { fields: { summary: string } }).fields.summary),
      ).toEqual(['still delivered']);
    });

    it('are refused to API-token callers', async () => {
      const res = await call(
        cloud.baseUrl,
        `Basic ${Buffer.from('jira-sync@example.com:jira-sync-api-token').toString('base64')}`,
        'GET',
        '/rest/api/3/webhook',
      );

      expect(res.status).toBe(403);
    });
  });

  describe('Automation "Send web request"', () => {
    it('posts a custom body with custom headers, once, and our ingest can read it', async () => {
      cloud.webhooks.registerAutomation({
        name: 'escalate',
        events: ['issue_transitioned'],
        url: `${receiver.url}/automation`,
        headers: { Authorization: 'Bearer automation-secret' },
        body: { custom: '{"issueId": "{{issue.id}}", "issueKey": "{{issue.key}}", "event": "escalate"}' },
      });
      receiver.respond = () => 500;
      const request = cloud
        .as('carol')
        .raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary: 'Help' });
      cloud.as('alice').transition(request.key, 'Escalate');
      await sim.settle();
      await clock.advance(3_600_000);

      expect(receiver.requests).toHaveLength(1);
      const r = receiver.requests[0] as Received;
      expect(r.headers.authorization).toBe('Bearer automation-secret');
      expect(r.headers['user-agent']).toContain('Automation for Jira');
      expect(r.json()).toEqual({ issueId: request.id, issueKey: request.key, event: 'escalate' });
      expect(normalised(r)).toMatchObject({
        events: [{ kind: 'automation', issue: { id: request.id, key: request.key } }],
      });
    });

    it('sends the Automation issue format with numeric ids, form-encoded when asked', async () => {
      cloud.webhooks.registerAutomation({
        name: 'json',
        events: ['jira:issue_created'],
        url: `${receiver.url}/json`,
        body: 'automation',
      });
      cloud.webhooks.registerAutomation({
        name: 'form',
        events: ['jira:issue_created'],
        url: `${receiver.url}/form`,
        contentType: 'form',
        body: { custom: 'issueId={{issue.id}}&issueKey={{issue.key}}' },
      });
      const issue = cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
      await sim.settle();

      const json = receiver.requests.find((r) => r.url === '/json')?.json();
      expect(json).toMatchObject({ id: Number(issue.id), key: issue.key, changelog: { histories: null } });
      const form = receiver.requests.find((r) => r.url === '/form');
      expect(form?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(form?.body.toString()).toBe(`issueId=${issue.id}&issueKey=${issue.key}`);
    });
  });
});
