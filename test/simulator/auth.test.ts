import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../simulator/clock.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { Site } from '../../simulator/site.ts';
import { basic, CLIENT, call, startTwoSites } from './helpers.ts';

/** Authentication as each flavour does it, and the local OAuth 2.0 (3LO) authorization server. */
describe('authentication', () => {
  let sim: Simulator;
  let cloud: Site;
  let dc: Site;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ sim, cloud, dc, clock } = await startTwoSites());
  });
  afterEach(async () => {
    sim.assertNoContractViolations();
    await sim.stop();
  });

  const myself = (site: Site, auth: string | undefined) =>
    call(site.baseUrl, auth, 'GET', '/rest/api/2/myself');

  it('Cloud: e-mail and API token; a wrong token, a password or a bearer token is 401', async () => {
    expect((await myself(cloud, basic('alice.chen@acme.example', 'alice-api-token'))).json.accountId).toBe(
      cloud.user('alice').accountId,
    );
    expect((await myself(cloud, basic('alice.chen@acme.example', 'nope'))).status).toBe(401);
    expect((await myself(cloud, 'Bearer alice-api-token')).status).toBe(401);
    expect((await myself(cloud, undefined)).status).toBe(401);
  });

  it('Data Center: personal access token (Bearer) and Basic username + password', async () => {
    expect((await myself(dc, 'Bearer bob-pat')).json.name).toBe('bob');
    expect((await myself(dc, basic('bob', 'bob-password'))).json.name).toBe('bob');
    const wrong = await myself(dc, basic('bob', 'wrong'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATED_FAILED');
  });

  it('serves a Data Center context path and renders links under it', async () => {
    const { sim: other, dc: withPath } = await startTwoSites({ dc: { contextPath: '/jira' } });
    try {
      const me = await call(withPath.baseUrl, 'Bearer bob-pat', 'GET', '/rest/api/2/myself');

      expect(withPath.baseUrl).toMatch(/\/jira$/);
      expect(me.json.self).toBe(`${withPath.baseUrl}/rest/api/2/user?username=bob`);
      other.assertNoContractViolations();
    } finally {
      await other.stop();
    }
  });

  it('serves serverInfo anonymously', async () => {
    expect((await call(dc.baseUrl, undefined, 'GET', '/rest/api/2/serverInfo')).json.deploymentType).toBe(
      'Server',
    );
  });

  describe('OAuth 2.0 (3LO)', () => {
    const redirectUri = 'http://127.0.0.1:9/callback';
    const scopes = 'read:jira-work write:jira-work read:jira-user offline_access';

    async function consent(): Promise<string> {
      const url = `${sim.gatewayUrl}/authorize?audience=api.atlassian.com&client_id=${CLIENT.clientId}&scope=${encodeURIComponent(scopes)}&redirect_uri=${encodeURIComponent(redirectUri)}&state=s1&response_type=code&prompt=consent&login_hint=${encodeURIComponent(cloud.user('jira-sync').accountId ?? '')}`;
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.searchParams.get('state')).toBe('s1');
      return location.searchParams.get('code') ?? '';
    }

    const token = (body: Record<string, string>) =>
      call(sim.gatewayUrl ?? '', undefined, 'POST', '/oauth/token', {
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        ...body,
      });

    it('exchanges a code, finds the site, and calls Jira through /ex/jira/{cloudId}', async () => {
      const code = await consent();
      const tokens = (await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }))
        .json;
      const resources = (
        await call(
          sim.gatewayUrl ?? '',
          `Bearer ${tokens.access_token}`,
          'GET',
          '/oauth/token/accessible-resources',
        )
      ).json;
      const me = await call(
        `${sim.gatewayUrl}/ex/jira/${resources[0].id}`,
        `Bearer ${tokens.access_token}`,
        'GET',
        '/rest/api/2/myself',
      );

      expect(tokens).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: expect.any(String),
      });
      expect(resources).toEqual([expect.objectContaining({ id: cloud.cloudId, url: cloud.baseUrl })]);
      expect(me.status).toBe(200);
      expect(me.json.self).toContain(`/ex/jira/${cloud.cloudId}/rest/api/2/user`);
    });

    it('rotates refresh tokens: the used one is invalid_grant (what a second concurrent refresher sees)', async () => {
      const first = (
        await token({ grant_type: 'authorization_code', code: await consent(), redirect_uri: redirectUri })
      ).json;

      const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      const third = await token({ grant_type: 'refresh_token', refresh_token: second.json.refresh_token });

      expect(second.status).toBe(200);
      expect(second.json.refresh_token).not.toBe(first.refresh_token);
      expect(reuse.status).toBe(403);
      expect(reuse.json).toEqual({
        error: 'invalid_grant',
        error_description: 'Unknown or invalid refresh token.',
      });
      expect(third.status).toBe(200);
    });

    it('expires access tokens after an hour and checks scopes', async () => {
      const tokens = sim.oauth.grant({
        clientId: CLIENT.clientId,
        accountId: cloud.user('jira-sync').accountId ?? '',
        scopes: ['read:jira-work'],
      });
      const gw = (path: string, method = 'GET', body?: unknown) =>
        call(
          `${sim.gatewayUrl}/ex/jira/${cloud.cloudId}`,
          `Bearer ${tokens.access_token}`,
          method,
          path,
          body,
        );

      const read = await gw('/rest/api/2/project');
      const write = await gw('/rest/api/2/issue', 'POST', {
        fields: { project: { key: 'ENG' }, issuetype: { name: 'Task' }, summary: 'x' },
      });
      await clock.advance(3_600_000);
      const expired = await gw('/rest/api/2/project');

      expect(read.status).toBe(200);
      expect(write.status).toBe(401);
      expect(write.json.errorMessages[0]).toContain('scope');
      expect(expired.status).toBe(401);
    });

    it('refuses a bad client secret and a reused authorization code', async () => {
      const code = await consent();
      const badSecret = await call(sim.gatewayUrl ?? '', undefined, 'POST', '/oauth/token', {
        grant_type: 'authorization_code',
        client_id: CLIENT.clientId,
        client_secret: 'wrong',
        code,
        redirect_uri: redirectUri,
      });
      await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
      const reused = await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });

      expect(badSecret.status).toBe(401);
      expect(reused.json.error).toBe('invalid_grant');
    });
  });
});
