import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../local/secrets-manager-server.ts';
import { type SecretStore, secretsManagerSecretStore } from '../../shared/jira/auth/secret-store.ts';
import { createJiraClient, type JiraClient } from '../../shared/jira/client.ts';
import { getMyself } from '../../shared/jira/platform/server.ts';
import { systemClock } from '../../shared/jira/token-bucket.ts';
import { AtlassianAuth } from '../helpers/jira-atlassian.ts';
import { testConnection } from '../helpers/jira-client.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.ts';

// OAuth 2.0 (3LO) against a local Atlassian (token endpoint, accessible-resources, the /ex/jira gateway)
// and a local Secrets Manager spoken to by the real AWS SDK: what two Lambda containers would share.
const SECRET = 'jira-sync/acme-oauth/auth';
const CLIENT = { clientId: 'oauth-client-id-Ab12', clientSecret: 'oauth-client-secret-Zy98' };
const CLOUD_ID = '11223344-a1b2-3b33-c444-def123456789';
const SITE = 'https://acme.atlassian.net';
const me = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'jira-sync' };

let jira: JiraServer;
let atlassian: AtlassianAuth;
let secretsServer: SecretsManagerServer;
let dir: string;
const sdkClients: SecretsManagerClient[] = [];

beforeAll(async () => {
  jira = await startJiraServer();
  dir = await mkdtemp(join(tmpdir(), 'jira-sync-oauth-'));
  secretsServer = await startSecretsManagerServer({
    file: join(dir, 'secrets.json'),
    seed: { ifMissing: { [SECRET]: '{}' } },
  });
});

beforeEach(() => {
  jira.reset();
  atlassian = new AtlassianAuth(jira, { ...CLIENT, cloudId: CLOUD_ID, siteUrl: SITE });
  jira.on('GET', `${atlassian.gateway}/rest/api/2/myself`, atlassian.guard({ status: 200, json: me }));
});

afterEach(() => {
  const violations = [...jira.violations];
  expect(violations).toEqual([]);
});

afterAll(async () => {
  for (const c of sdkClients) c.destroy();
  await jira.stop();
  await secretsServer.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One "container": its own SDK client, secret cache and Jira client. */
function container(store: SecretStore = newStore()): JiraClient {
  const connection = testConnection({
    id: 'acme-oauth',
    flavor: 'cloud',
    baseUrl: SITE,
    auth: { type: 'oauth', secret: SECRET, tokenUrl: `${jira.url}/oauth/token`, apiUrl: jira.url },
  });
  return createJiraClient(connection, {
    secrets: store,
    clock: systemClock,
    oauth: { settleMs: 150 },
    rate: { ratePerSecond: 1000, burst: 1000 },
    timeoutMs: 5000,
  });
}

function newStore(): SecretStore {
  const client = new SecretsManagerClient({
    endpoint: secretsServer.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  sdkClients.push(client);
  return secretsManagerSecretStore({ ttlMs: 60_000, client });
}

async function storeSecret(value: Record<string, unknown>): Promise<void> {
  await newStore().write(SECRET, JSON.stringify(value));
}

async function storedSecret(): Promise<Record<string, unknown>> {
  return JSON.parse(await newStore().read(SECRET, { fresh: true })) as Record<string, unknown>;
}

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
const expired = () => new Date(Date.now() - 1000).toISOString();

describe('OAuth 2.0 (3LO) calls', () => {
  it('goes through the gateway /ex/jira/{cloudId} with the access token while it is valid', async () => {
    const granted = atlassian.grant();
    await storeSecret({ ...CLIENT, ...granted, expiresAt: inAnHour(), cloudId: CLOUD_ID });

    await getMyself(container());

    expect(jira.requests.map((r) => r.path)).toEqual([`/ex/jira/${CLOUD_ID}/rest/api/2/myself`]);
    expect(jira.requests[0]?.headers.authorization).toBe(`Bearer ${granted.accessToken}`);
    expect(atlassian.calls).toEqual([]);
  });

  it('refreshes before expiry and writes the rotated refresh token back, keeping other keys', async () => {
    const granted = atlassian.grant();
    const soon = new Date(Date.now() + 30_000).toISOString(); // inside the refresh margin
    await storeSecret({
      ...CLIENT,
      ...granted,
      expiresAt: soon,
      cloudId: CLOUD_ID,
      note: 'owner: platform team',
    });

    await getMyself(container());

    const stored = await storedSecret();
    expect(atlassian.calls).toEqual([{ grantType: 'refresh_token', outcome: 'issued' }]);
    expect(stored.refreshToken).not.toBe(granted.refreshToken);
    expect(atlassian.refreshTokens.has(String(stored.refreshToken))).toBe(true);
    expect(stored).toMatchObject({
      note: 'owner: platform team',
      cloudId: CLOUD_ID,
      clientId: CLIENT.clientId,
    });
    expect(Date.parse(String(stored.expiresAt))).toBeGreaterThan(Date.now() + 3500_000);
    expect(jira.requests.at(-1)?.headers.authorization).toBe(`Bearer ${stored.accessToken}`);
  });

  it('refreshes once per container however many calls start together', async () => {
    await storeSecret({ ...CLIENT, ...atlassian.grant(), expiresAt: expired(), cloudId: CLOUD_ID });
    const client = container();

    await Promise.all(Array.from({ length: 5 }, () => getMyself(client)));

    expect(atlassian.calls).toHaveLength(1);
    expect(jira.requestsTo('GET', /myself$/)).toHaveLength(5);
  });

  it('two containers refreshing at once do not lock the connection out', async () => {
    await storeSecret({ ...CLIENT, ...atlassian.grant(), expiresAt: expired(), cloudId: CLOUD_ID });
    atlassian.holdMs = 50; // both refreshes are in flight together, with the same refresh token
    const [a, b] = [container(), container()];

    const results = await Promise.allSettled([getMyself(a), getMyself(b)]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(atlassian.calls.map((c) => c.outcome).sort()).toEqual(['invalid_grant', 'issued']);
    // The loser re-read the secret and used the winner's tokens: what is stored still works.
    const stored = await storedSecret();
    expect(atlassian.refreshTokens.has(String(stored.refreshToken))).toBe(true);
    atlassian.holdMs = 0;
    await storeSecret({ ...stored, expiresAt: expired() });
    await expect(getMyself(container())).resolves.toMatchObject(me);
  });

  it('fails, naming the connection and how to recover, when the refresh token was revoked', async () => {
    await storeSecret({
      ...CLIENT,
      refreshToken: 'rt-revoked-token-Qq7',
      accessToken: 'at-old',
      expiresAt: expired(),
      cloudId: CLOUD_ID,
    });

    const error = await getMyself(container()).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'JIRA_CREDENTIALS_INVALID',
      retryable: false,
      connectionId: 'acme-oauth',
    });
    expect((error as Error).message).toContain('invalid_grant');
    expect((error as Error).message).toContain('/oauth/acme-oauth/start');
    expect((error as Error).message).not.toContain('rt-revoked-token-Qq7');
    expect(atlassian.calls).toHaveLength(1); // no second refresh with a token already refused
    expect(jira.requestsTo('GET', /myself$/)).toHaveLength(0);
  });

  it('on a 401 refetches the secret, refreshes, and retries once', async () => {
    const granted = atlassian.grant();
    await storeSecret({ ...CLIENT, ...granted, expiresAt: inAnHour(), cloudId: CLOUD_ID });
    const client = container();
    await getMyself(client);
    atlassian.revokeAccessTokens(); // the token looks valid but Jira no longer takes it

    await expect(getMyself(client)).resolves.toMatchObject(me);

    expect(atlassian.calls).toEqual([{ grantType: 'refresh_token', outcome: 'issued' }]);
    expect(jira.requestsTo('GET', /myself$/).map((r) => r.headers.authorization)).toEqual([
      `Bearer ${granted.accessToken}`,
      `Bearer ${granted.accessToken}`,
      `Bearer ${(await storedSecret()).accessToken}`,
    ]);
  });

  it('finds the cloudId in accessible-resources when the secret has none', async () => {
    await storeSecret({ ...CLIENT, ...atlassian.grant(), expiresAt: inAnHour() });

    await getMyself(container());

    expect(jira.requests.map((r) => r.path)).toEqual([
      '/oauth/token/accessible-resources',
      `/ex/jira/${CLOUD_ID}/rest/api/2/myself`,
    ]);
  });

  it('keeps going when storing the rotated token fails, and stores it on the next call', async () => {
    const granted = atlassian.grant();
    const store = new MemorySecretStore({
      [SECRET]: { ...CLIENT, ...granted, expiresAt: expired(), cloudId: CLOUD_ID },
    });
    store.failWrites = true;
    const client = container(store);

    await getMyself(client);
    store.failWrites = false;
    await getMyself(client);

    expect(store.writes).toBe(1);
    expect(atlassian.refreshTokens.has(String(store.json(SECRET).refreshToken))).toBe(true);
    expect(atlassian.calls).toHaveLength(1);
  });
});
