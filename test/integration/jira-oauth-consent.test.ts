import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import {
  type ConsentDeps,
  type ConsentOutcome,
  type ConsentRequest,
  completeConsent,
  STATE_COOKIE,
  STATE_TTL_MS,
  startConsent,
} from '../../shared/oauth/consent.ts';
import { AtlassianAuth } from '../helpers/jira-atlassian.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.ts';

const SECRET = 'jira-sync/acme-oauth/auth';
const CLIENT = { clientId: 'oauth-client-id-Ab12', clientSecret: 'oauth-client-secret-Zy98' };
const CLOUD_ID = '11223344-a1b2-3b33-c444-def123456789';
const SITE = 'https://acme.atlassian.net';
const ORIGIN = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const CALLBACK = `${ORIGIN}/oauth/acme-oauth/callback`;

let jira: JiraServer;
let atlassian: AtlassianAuth;
let secrets: MemorySecretStore;
let config: Config;
let now: number;

function deps(): ConsentDeps {
  return { config, secrets, now: () => now, timeoutMs: 5000 };
}

function request(step: Partial<ConsentRequest> = {}): ConsentRequest {
  return { connectionId: 'acme-oauth', origin: ORIGIN, query: {}, cookies: {}, ...step };
}

function redirectOf(outcome: ConsentOutcome): { url: URL; nonce: string } {
  if (outcome.kind !== 'redirect') throw new Error(`expected a redirect, got ${JSON.stringify(outcome)}`);
  return { url: new URL(outcome.location), nonce: outcome.cookie.value };
}

/** Starts a consent and plays Atlassian: the user approves and comes back with a code. */
async function approve(): Promise<{ state: string; nonce: string; code: string }> {
  const { url, nonce } = redirectOf(await startConsent(request(), deps()));
  const code = `code-${Math.random().toString(36).slice(2)}`;
  atlassian.codes.set(code, { redirectUri: url.searchParams.get('redirect_uri') ?? '' });
  return { state: url.searchParams.get('state') ?? '', nonce, code };
}

beforeAll(async () => {
  jira = await startJiraServer();
});

beforeEach(() => {
  jira.reset();
  now = Date.parse('2026-03-02T10:00:00Z');
  atlassian = new AtlassianAuth(jira, { ...CLIENT, cloudId: CLOUD_ID, siteUrl: SITE });
  secrets = new MemorySecretStore({ [SECRET]: { ...CLIENT, note: 'kept' } });
  config = parseConfigText(
    JSON.stringify({
      connections: [
        {
          id: 'acme-oauth',
          flavor: 'cloud',
          baseUrl: SITE,
          serviceManagement: true,
          auth: {
            type: 'oauth',
            secret: SECRET,
            authorizeUrl: `${jira.url}/authorize`,
            tokenUrl: `${jira.url}/oauth/token`,
            apiUrl: jira.url,
          },
          webhook: { verify: 'url-token', secret: 'jira-sync/acme-oauth/webhook' },
        },
        {
          id: 'acme-dc',
          flavor: 'datacenter',
          baseUrl: 'https://jira.acme.internal',
          auth: { type: 'pat', secret: 'jira-sync/acme-dc/auth' },
          webhook: { verify: 'url-token', secret: 'jira-sync/acme-dc/webhook' },
        },
      ],
    }),
    'consent-test.json',
  );
});

afterEach(() => {
  expect(jira.violations).toEqual([]);
});

afterAll(() => jira.stop());

describe('GET /oauth/{connectionId}/start', () => {
  it("redirects to Atlassian's consent page with the connection's scopes and a signed state", async () => {
    const outcome = await startConsent(request(), deps());

    const { url, nonce } = redirectOf(outcome);
    expect(`${url.origin}${url.pathname}`).toBe(`${jira.url}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      audience: 'api.atlassian.com',
      client_id: CLIENT.clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      prompt: 'consent',
    });
    expect(url.searchParams.get('scope')?.split(' ')).toEqual([
      'read:jira-work',
      'write:jira-work',
      'read:jira-user',
      'manage:jira-webhook',
      'offline_access',
      'read:servicedesk-request',
      'write:servicedesk-request',
      'manage:servicedesk-customer',
    ]);
    expect(url.searchParams.get('state')).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(outcome).toMatchObject({
      cookie: {
        name: STATE_COOKIE,
        value: nonce,
        path: '/oauth/acme-oauth',
        maxAgeSeconds: STATE_TTL_MS / 1000,
      },
    });
  });

  it('refuses unknown and non-OAuth connections', async () => {
    expect(await startConsent(request({ connectionId: 'nope' }), deps())).toMatchObject({
      kind: 'page',
      status: 404,
    });
    expect(await startConsent(request({ connectionId: 'acme-dc' }), deps())).toMatchObject({
      kind: 'page',
      status: 404,
    });
  });

  it('refuses a connection that is already authorised', async () => {
    secrets.set(SECRET, { ...CLIENT, refreshToken: 'rt-existing' });

    const outcome = await startConsent(request(), deps());

    expect(outcome).toMatchObject({ kind: 'page', status: 409 });
    expect(outcome.kind === 'page' && outcome.message).toContain(
      `remove "refreshToken" from its secret ${SECRET}`,
    );
  });
});

describe('GET /oauth/{connectionId}/callback', () => {
  it('exchanges the code, finds the cloudId and stores the tokens in the secret', async () => {
    const { state, nonce, code } = await approve();

    const outcome = await completeConsent(
      request({ query: { code, state }, cookies: { [STATE_COOKIE]: nonce } }),
      deps(),
    );

    expect(outcome).toMatchObject({ kind: 'page', status: 200, title: 'Connected' });
    expect(outcome.kind === 'page' && outcome.message).toContain('acme (https://acme.atlassian.net)');
    expect(outcome.cookie).toMatchObject({ name: STATE_COOKIE, maxAgeSeconds: 0 });
    const stored = secrets.json(SECRET);
    expect(stored).toMatchObject({
      ...CLIENT,
      note: 'kept',
      cloudId: CLOUD_ID,
      expiresAt: '2026-03-02T11:00:00.000Z',
    });
    expect(atlassian.refreshTokens.has(String(stored.refreshToken))).toBe(true);
    expect(atlassian.accessTokens.has(String(stored.accessToken))).toBe(true);
    const exchange = jira.requestsTo('POST', '/oauth/token')[0]?.json;
    expect(exchange).toEqual({
      grant_type: 'authorization_code',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      code,
      redirect_uri: CALLBACK,
    });
  });

  it.each([
    {
      name: 'no state cookie (another browser)',
      reason: 'state-wrong-browser',
      tweak: (s: string, _n: string) => ({ s, n: '' }),
    },
    {
      name: 'a tampered state',
      reason: 'state-bad-signature',
      tweak: (s: string, n: string) => ({ s: `${s.slice(0, -2)}xx`, n }),
    },
    {
      name: 'a malformed state',
      reason: 'state-malformed',
      tweak: (_s: string, n: string) => ({ s: 'garbage', n }),
    },
  ])('refuses $name and exchanges nothing', async ({ reason, tweak }) => {
    const { state, nonce, code } = await approve();
    const { s, n } = tweak(state, nonce);

    const outcome = await completeConsent(
      request({ query: { code, state: s }, cookies: { [STATE_COOKIE]: n } }),
      deps(),
    );

    expect(outcome).toMatchObject({
      kind: 'page',
      status: 400,
      error: { code: `OAUTH_${reason.toUpperCase().replaceAll('-', '_')}` },
    });
    expect(jira.requestsTo('POST', '/oauth/token')).toHaveLength(0);
    expect(secrets.writes).toBe(0);
  });

  it('refuses a state older than ten minutes', async () => {
    const { state, nonce, code } = await approve();
    now += STATE_TTL_MS + 1;

    const outcome = await completeConsent(
      request({ query: { code, state }, cookies: { [STATE_COOKIE]: nonce } }),
      deps(),
    );

    expect(outcome).toMatchObject({
      status: 400,
      message: expect.stringContaining('longer than 10 minutes'),
    });
  });

  it('reports a denied consent', async () => {
    const { state, nonce } = await approve();

    const outcome = await completeConsent(
      request({
        query: { error: 'access_denied', error_description: 'User did not authorize the request', state },
        cookies: { [STATE_COOKIE]: nonce },
      }),
      deps(),
    );

    expect(outcome).toMatchObject({ status: 400, message: 'Access was not granted (access_denied).' });
  });

  it('refuses a grant for another site, naming the sites granted', async () => {
    atlassian = new AtlassianAuth(jira, {
      ...CLIENT,
      cloudId: 'other-cloud',
      siteUrl: 'https://other.atlassian.net',
    });
    const { state, nonce, code } = await approve();

    const outcome = await completeConsent(
      request({ query: { code, state }, cookies: { [STATE_COOKIE]: nonce } }),
      deps(),
    );

    expect(outcome).toMatchObject({ status: 400 });
    expect(outcome.kind === 'page' && outcome.message).toContain(
      'granted to https://other.atlassian.net, not to https://acme.atlassian.net',
    );
    expect(secrets.writes).toBe(0);
  });

  it('reports a code Atlassian refuses (used twice) as a bad gateway', async () => {
    const { state, nonce, code } = await approve();
    atlassian.codes.delete(code);

    const outcome = await completeConsent(
      request({ query: { code, state }, cookies: { [STATE_COOKIE]: nonce } }),
      deps(),
    );

    expect(outcome).toMatchObject({ status: 502, error: { code: 'OAUTH_INVALID_GRANT' } });
  });

  it('never puts the client secret or tokens on the page', async () => {
    const { state, nonce, code } = await approve();

    const outcome = await completeConsent(
      request({ query: { code, state }, cookies: { [STATE_COOKIE]: nonce } }),
      deps(),
    );

    const page = JSON.stringify(outcome);
    const stored = secrets.json(SECRET);
    for (const value of [CLIENT.clientSecret, stored.refreshToken, stored.accessToken, code]) {
      expect(page).not.toContain(String(value));
    }
  });
});
