import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../shared/config/load.ts';
import type { Config, Connection } from '../../shared/config/schema.ts';
import type { JiraClient } from '../../shared/jira/client.ts';
import { ADMIN_WEBHOOK_EVENTS } from '../../shared/registrar/plan.ts';
import { type RegistrarDeps, registerWebhooks, summarize } from '../../shared/registrar/register.ts';
import { currentWebhookSecret } from '../../shared/registrar/secrets.ts';
import { testClient } from '../helpers/jira-client.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import {
  type Canned,
  type JiraServer,
  type RecordedRequest,
  startJiraServer,
} from '../helpers/jira-server.ts';

// Admin webhooks (/rest/webhooks/1.0/webhook) against a Jira on 127.0.0.1. They are in no OpenAPI file
// (the contract check calls them "unspecified"), so the test Jira keeps a small registry that answers in
// the documented shape (developer.atlassian.com, "Webhooks": register, query and delete via the REST API).

const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/';
const HMAC_SECRET = 'hmac-secret-Qw8erty-never-logged';
const TOKEN = 'url-token-Zx9cvb-never-logged';

interface StoredWebhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  jql: string;
  secret?: string;
  enabled: boolean;
}

/** The admin webhooks of one site (base path `prefix`), as Jira would keep them. */
class AdminRegistry {
  readonly webhooks = new Map<number, StoredWebhook>();
  private next = 1;

  constructor(
    server: JiraServer,
    private readonly prefix: string,
  ) {
    const path = `${prefix}/rest/webhooks/1.0/webhook`;
    const one = new RegExp(`^${prefix}/rest/webhooks/1\\.0/webhook/(\\d+)$`);
    server.on('GET', path, () => ({
      status: 200,
      json: [...this.webhooks.values()].map((w) => this.answer(w)),
    }));
    server.on('POST', path, (req) => {
      const created = { id: this.next++, ...this.fromBody(req) };
      this.webhooks.set(created.id, created);
      return { status: 201, json: this.answer(created) };
    });
    server.on('PUT', one, (req) =>
      this.change(req, (id) => {
        const updated = { id, ...this.fromBody(req) };
        this.webhooks.set(id, updated);
        return { status: 200, json: this.answer(updated) };
      }),
    );
    server.on('DELETE', one, (req) =>
      this.change(req, (id) => {
        this.webhooks.delete(id);
        return { status: 204 };
      }),
    );
  }

  add(webhook: Omit<StoredWebhook, 'id'>): number {
    const id = this.next++;
    this.webhooks.set(id, { id, ...webhook });
    return id;
  }

  private change(req: RecordedRequest, then: (id: number) => Canned): Canned {
    const id = Number(req.path.split('/').at(-1));
    if (!this.webhooks.has(id)) return { status: 404, json: { errorMessages: ['Webhook not found'] } };
    return then(id);
  }

  private fromBody(req: RecordedRequest): Omit<StoredWebhook, 'id'> {
    const body = req.json as {
      name: string;
      url: string;
      events: string[];
      filters?: Record<string, string>;
      secret?: string;
    };
    return {
      name: body.name,
      url: body.url,
      events: body.events,
      jql: body.filters?.['issue-related-events-section'] ?? '',
      ...(body.secret === undefined ? {} : { secret: body.secret }),
      enabled: true,
    };
  }

  // Jira never returns the secret.
  private answer(w: StoredWebhook) {
    return {
      name: w.name,
      url: w.url,
      excludeBody: false,
      filters: { 'issue-related-events-section': w.jql },
      events: w.events,
      enabled: w.enabled,
      self: `https://acme.atlassian.net${this.prefix}/rest/webhooks/1.0/webhook/${w.id}`,
      lastUpdatedUser: '5b10ac8d82e05b22cc7d4ef5',
      lastUpdatedDisplayName: 'jira-sync',
      lastUpdated: 1741946400000,
    };
  }
}

let server: JiraServer;
let cloud: AdminRegistry;
let dc: AdminRegistry;
let secrets: MemorySecretStore;
let config: Config;
let deps: RegistrarDeps;

function makeConfig(url: string): Config {
  const connection = (id: string, flavor: 'cloud' | 'datacenter', verify: string, extra = {}) => ({
    id,
    flavor,
    baseUrl: flavor === 'cloud' ? url : `${url}/jira`,
    auth: flavor === 'cloud' ? { type: 'basic', secret: 'auth/cloud' } : { type: 'pat', secret: 'auth/dc' },
    webhook: { verify, secret: `webhook/${id}`, register: 'admin' },
    ...extra,
  });
  return parseConfigText(
    JSON.stringify({
      connections: [
        connection('acme-cloud', 'cloud', 'hmac'),
        connection('acme-dc', 'datacenter', 'url-token'),
        connection('acme-idle', 'cloud', 'url-token'),
      ],
      flows: [
        {
          id: 'help-to-eng',
          source: { connection: 'acme-cloud', project: 'HELP' },
          target: { connection: 'acme-dc', project: 'ENG', issueType: 'Task' },
        },
        {
          id: 'ops-to-eng',
          source: { connection: 'acme-cloud', project: 'ops' },
          target: { connection: 'acme-dc', project: 'ENG', issueType: 'Bug' },
        },
      ],
    }),
    'registrar-test.json',
  );
}

beforeAll(async () => {
  server = await startJiraServer();
});

beforeEach(() => {
  server.reset();
  cloud = new AdminRegistry(server, '');
  dc = new AdminRegistry(server, '/jira');
  secrets = new MemorySecretStore({
    'auth/cloud': { email: 'jira-sync@acme.example', apiToken: 'cloud-api-token-9f3Kq' },
    'auth/dc': { token: 'dc-personal-access-token-4Lx8' },
    'webhook/acme-cloud': HMAC_SECRET,
    'webhook/acme-dc': { current: TOKEN, previous: 'old-token-being-rotated-out' },
    'webhook/acme-idle': 'idle-token',
  });
  config = makeConfig(server.url);
  const clients = new Map<string, JiraClient>();
  deps = {
    apiUrl: API_URL,
    client: (c: Connection) => {
      let client = clients.get(c.id);
      if (!client) {
        client = testClient(c, secrets).client;
        clients.set(c.id, client);
      }
      return client;
    },
    webhookSecret: currentWebhookSecret(secrets),
  };
});

afterEach(() => {
  expect(server.violations).toEqual([]);
});

afterAll(async () => {
  await server.stop();
});

const requests = (method: string) => server.requests.filter((r) => r.method === method);

describe('admin webhook registration', () => {
  it('creates a signed webhook on Cloud for the projects of its flows, with every issue event', async () => {
    const results = await registerWebhooks(config, deps);

    expect(results[0]).toEqual({
      connectionId: 'acme-cloud',
      mode: 'admin',
      status: 'created',
      webhookIds: ['1'],
      removedIds: [],
    });
    expect(requests('POST').find((r) => r.path === '/rest/webhooks/1.0/webhook')?.json).toEqual({
      name: 'jira-sync acme-cloud',
      url: 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/acme-cloud',
      events: [...ADMIN_WEBHOOK_EVENTS],
      filters: { 'issue-related-events-section': 'project IN ("HELP", "OPS")' },
      excludeBody: false,
      secret: HMAC_SECRET,
    });
  });

  it('creates an unsigned webhook on Data Center whose URL carries the current token', async () => {
    const results = await registerWebhooks(config, deps);

    expect(results[1]).toMatchObject({ connectionId: 'acme-dc', status: 'created' });
    const [created] = [...dc.webhooks.values()];
    expect(created).toMatchObject({
      url: `https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/acme-dc?token=${TOKEN}`,
      jql: 'project IN ("ENG")',
    });
    expect(created).not.toHaveProperty('secret');
  });

  it('skips a connection no flow uses', async () => {
    const results = await registerWebhooks(config, deps);

    expect(results[2]).toMatchObject({ connectionId: 'acme-idle', status: 'skipped' });
    // acme-idle lives on the same site as acme-cloud: only acme-cloud listed its webhooks.
    expect(server.requestsTo('GET', '/rest/webhooks/1.0/webhook')).toHaveLength(1);
  });

  it('changes nothing on a second run of an unsigned webhook, and pushes the secret again for a signed one', async () => {
    await registerWebhooks(config, deps);
    server.requests.length = 0;

    const again = await registerWebhooks(config, deps);

    expect(again.map((r) => [r.connectionId, r.status, r.webhookIds])).toEqual([
      ['acme-cloud', 'updated', ['1']],
      ['acme-dc', 'unchanged', ['1']],
      ['acme-idle', 'skipped', []],
    ]);
    expect(requests('POST')).toEqual([]);
    expect(requests('PUT').map((r) => r.path)).toEqual(['/rest/webhooks/1.0/webhook/1']);
    expect(cloud.webhooks.size).toBe(1);
    expect(dc.webhooks.size).toBe(1);
  });

  it('adopts a webhook registered by hand for the same URL and removes duplicates, leaving others alone', async () => {
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/acme-dc';
    const byHand = dc.add({
      name: 'sync',
      url: `${url}?token=old`,
      events: ['jira:issue_created'],
      jql: '',
      enabled: true,
    });
    const duplicate = dc.add({ name: 'sync 2', url, events: ['jira:issue_updated'], jql: '', enabled: true });
    const other = dc.add({
      name: 'CI',
      url: 'https://ci.acme.example/jira',
      events: ['jira:issue_updated'],
      jql: '',
      enabled: true,
    });

    const results = await registerWebhooks(config, deps);

    expect(results[1]).toMatchObject({
      status: 'updated',
      webhookIds: [String(byHand)],
      removedIds: [String(duplicate)],
    });
    expect([...dc.webhooks.keys()].sort((a, b) => a - b)).toEqual([byHand, other]);
    expect(dc.webhooks.get(byHand)).toMatchObject({
      name: 'jira-sync acme-dc',
      url: `${url}?token=${TOKEN}`,
      events: [...ADMIN_WEBHOOK_EVENTS],
    });
  });

  it('updates a webhook that was disabled or edited in Jira', async () => {
    await registerWebhooks(config, deps);
    const [existing] = [...dc.webhooks.values()];
    if (!existing) throw new Error('no webhook');
    existing.events = ['jira:issue_created'];

    const [, result] = await registerWebhooks(config, deps);

    expect(result).toMatchObject({ status: 'updated' });
    expect(dc.webhooks.get(existing.id)?.events).toEqual([...ADMIN_WEBHOOK_EVENTS]);
  });

  it('reports a failing connection and still registers the others', async () => {
    server.on('GET', '/rest/webhooks/1.0/webhook', {
      status: 403,
      json: { errorMessages: ['You must be a Jira administrator to manage webhooks'], errors: {} },
    });

    const results = await registerWebhooks(config, deps);

    expect(results[0]).toMatchObject({
      connectionId: 'acme-cloud',
      status: 'failed',
      message: expect.stringContaining('listAdminWebhooks on connection acme-cloud'),
    });
    expect(results[1]).toMatchObject({ connectionId: 'acme-dc', status: 'created' });
    expect(summarize(results)).toMatch(
      /^acme-cloud: admin failed \(listAdminWebhooks .*\); acme-dc: admin created; acme-idle: admin skipped/,
    );
  });

  it('reports a missing or empty webhook secret without calling Jira for that connection', async () => {
    secrets.set('webhook/acme-dc', '   ');

    const results = await registerWebhooks(config, deps);

    expect(results[1]).toEqual(
      expect.objectContaining({
        status: 'failed',
        message: 'webhook secret "webhook/acme-dc" is unusable: the secret is empty',
      }),
    );
    expect(server.requests.filter((r) => r.path.startsWith('/jira/'))).toEqual([]);
  });

  it('never passes on a secret Jira echoes in an error', async () => {
    server.on('POST', '/jira/rest/webhooks/1.0/webhook', (req) => ({
      status: 400,
      json: { errorMessages: [`Invalid URL: ${(req.json as { url: string }).url}`], errors: {} },
    }));

    const results = await registerWebhooks(config, deps);
    const text = JSON.stringify(results) + summarize(results);

    expect(results[1]).toMatchObject({ status: 'failed', message: expect.stringContaining('?token=***') });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(HMAC_SECRET);
  });
});
