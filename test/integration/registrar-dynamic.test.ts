import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { createJiraClient, type JiraClient } from '../../shared/jira/client.ts';
import { systemClock } from '../../shared/jira/token-bucket.ts';
import { DYNAMIC_WEBHOOK_EVENTS } from '../../shared/registrar/plan.ts';
import { type RegistrarDeps, registerWebhooks } from '../../shared/registrar/register.ts';
import { currentWebhookSecret } from '../../shared/registrar/secrets.ts';
import { AtlassianAuth } from '../helpers/jira-atlassian.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import { type JiraServer, type RecordedRequest, startJiraServer } from '../helpers/jira-server.ts';

// Dynamic webhooks (/rest/api/2/webhook, OAuth 2.0 apps) through the Atlassian gateway on 127.0.0.1, with
// the OAuth refresh the registrar's first call triggers. Requests and answers are checked against the
// platform OpenAPI contract (WebhookRegistrationDetails, PageBeanWebhook, ContainerForWebhookIDs).

const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/';
const AUTH = 'jira-sync/acme-oauth/auth';
const WEBHOOK = 'jira-sync/acme-oauth/webhook';
const TOKEN = 'dynamic-url-token-Pl4kd-never-logged';
const CLIENT = { clientId: 'oauth-client-id-Ab12', clientSecret: 'oauth-client-secret-Zy98' };
const CLOUD_ID = '11223344-a1b2-3b33-c444-def123456789';
const URL_BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/acme-oauth';
const EXPIRES = Date.parse('2026-04-01T10:00:00Z');

interface Dynamic {
  id: number;
  url: string;
  events: string[];
  jqlFilter: string;
  expirationDate: number;
}

let server: JiraServer;
let atlassian: AtlassianAuth;
let secrets: MemorySecretStore;
let config: Config;
let deps: RegistrarDeps;
let webhooks: Map<number, Dynamic>;

beforeAll(async () => {
  server = await startJiraServer();
});

beforeEach(() => {
  server.reset();
  atlassian = new AtlassianAuth(server, {
    ...CLIENT,
    cloudId: CLOUD_ID,
    siteUrl: 'https://acme.atlassian.net',
  });
  const { refreshToken } = atlassian.grant();
  secrets = new MemorySecretStore({
    [AUTH]: { ...CLIENT, refreshToken, cloudId: CLOUD_ID },
    [WEBHOOK]: TOKEN,
  });
  config = parseConfigText(
    JSON.stringify({
      connections: [
        {
          id: 'acme-oauth',
          flavor: 'cloud',
          baseUrl: 'https://acme.atlassian.net',
          auth: { type: 'oauth', secret: AUTH, tokenUrl: `${server.url}/oauth/token`, apiUrl: server.url },
          webhook: { verify: 'url-token', secret: WEBHOOK, register: 'dynamic' },
        },
        {
          id: 'acme-dc',
          flavor: 'datacenter',
          baseUrl: 'https://jira.acme.internal',
          auth: { type: 'pat', secret: 'jira-sync/acme-dc/auth' },
          webhook: { verify: 'url-token', secret: 'jira-sync/acme-dc/webhook' },
        },
      ],
      flows: [
        {
          id: 'app-to-eng',
          source: { connection: 'acme-oauth', project: 'APP' },
          target: { connection: 'acme-dc', project: 'ENG', issueType: 'Task' },
        },
      ],
    }),
    'registrar-dynamic-test.json',
  );
  let client: JiraClient | undefined;
  deps = {
    apiUrl: API_URL,
    client: (connection) => {
      client ??= createJiraClient(connection, {
        secrets,
        clock: systemClock,
        rate: { ratePerSecond: 1000, burst: 1000 },
        timeoutMs: 5000,
      });
      return client;
    },
    webhookSecret: currentWebhookSecret(secrets),
  };
  webhooks = new Map();
  let next = 10000;
  const path = `${atlassian.gateway}/rest/api/2/webhook`;
  server.on(
    'GET',
    path,
    atlassian.guard(() => ({
      status: 200,
      json: {
        isLast: true,
        maxResults: 100,
        startAt: 0,
        total: webhooks.size,
        values: [...webhooks.values()],
      },
    })),
  );
  server.on(
    'POST',
    path,
    atlassian.guard((req: RecordedRequest) => {
      const body = req.json as { url: string; webhooks: { events: string[]; jqlFilter: string }[] };
      const results = body.webhooks.map((w) => {
        const id = next++;
        webhooks.set(id, {
          id,
          url: body.url,
          events: w.events,
          jqlFilter: w.jqlFilter,
          expirationDate: EXPIRES,
        });
        return { createdWebhookId: id };
      });
      return { status: 200, json: { webhookRegistrationResult: results } };
    }),
  );
  server.on(
    'PUT',
    `${path}/refresh`,
    atlassian.guard(() => ({ status: 200, json: { expirationDate: EXPIRES + 30 * 86_400_000 } })),
  );
  server.on(
    'DELETE',
    path,
    atlassian.guard((req: RecordedRequest) => {
      for (const id of (req.json as { webhookIds: number[] }).webhookIds) webhooks.delete(id);
      return { status: 202 };
    }),
  );
});

afterEach(() => {
  expect(server.violations).toEqual([]);
});

afterAll(async () => {
  await server.stop();
});

const calls = () =>
  server.requests
    .filter((r) => r.path.includes('/webhook'))
    .map((r) => `${r.method} ${r.path.replace(atlassian.gateway, '')}`);

describe('dynamic webhook registration (OAuth)', () => {
  it('registers issue and comment events for the flow projects, the token in the URL', async () => {
    const [result] = await registerWebhooks(config, deps);

    expect(result).toEqual({
      connectionId: 'acme-oauth',
      mode: 'dynamic',
      status: 'created',
      webhookIds: ['10000'],
      removedIds: [],
    });
    expect(server.requestsTo('POST', `${atlassian.gateway}/rest/api/2/webhook`)[0]?.json).toEqual({
      url: `${URL_BASE}?token=${TOKEN}`,
      webhooks: [{ events: [...DYNAMIC_WEBHOOK_EVENTS], jqlFilter: 'project IN ("APP")' }],
    });
  });

  it('stores the rotated refresh token the first call obtained', async () => {
    const before = secrets.json(AUTH).refreshToken;

    await registerWebhooks(config, deps);

    expect(secrets.json(AUTH).refreshToken).not.toBe(before);
    expect(atlassian.refreshTokens.has(secrets.json(AUTH).refreshToken as string)).toBe(true);
  });

  it('refreshes the same webhook on the next run (another 30 days) instead of registering again', async () => {
    await registerWebhooks(config, deps);
    server.requests.length = 0;

    const [again] = await registerWebhooks(config, deps);

    expect(again).toEqual({
      connectionId: 'acme-oauth',
      mode: 'dynamic',
      status: 'refreshed',
      webhookIds: ['10000'],
      removedIds: [],
      expiresAt: new Date(EXPIRES + 30 * 86_400_000).toISOString(),
    });
    expect(calls()).toEqual(['GET /rest/api/2/webhook', 'PUT /rest/api/2/webhook/refresh']);
    expect(server.requestsTo('PUT', `${atlassian.gateway}/rest/api/2/webhook/refresh`)[0]?.json).toEqual({
      webhookIds: [10000],
    });
  });

  it('replaces a registration with an old token or other projects, and keeps other URLs', async () => {
    webhooks.set(7, {
      id: 7,
      url: `${URL_BASE}?token=old`,
      events: ['jira:issue_created'],
      jqlFilter: 'project = APP',
      expirationDate: EXPIRES,
    });
    webhooks.set(8, {
      id: 8,
      url: 'https://elsewhere.example/hook',
      events: ['jira:issue_created'],
      jqlFilter: 'project = APP',
      expirationDate: EXPIRES,
    });

    const [result] = await registerWebhooks(config, deps);

    expect(result).toMatchObject({ status: 'created', webhookIds: ['10000'], removedIds: ['7'] });
    expect([...webhooks.keys()].sort((a, b) => a - b)).toEqual([8, 10000]);
  });

  it('reports a connection without OAuth consent yet as failed, naming what to do', async () => {
    secrets.set(AUTH, CLIENT);

    const [result] = await registerWebhooks(config, deps);

    expect(result).toMatchObject({ status: 'failed' });
    expect(result?.message).toMatch(/acme-oauth/);
    expect(JSON.stringify(result)).not.toContain(CLIENT.clientSecret);
  });
});
