import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMyself } from '../../shared/jira/platform/server.ts';
import { USER_AGENT } from '../../shared/jira/user-agent.ts';
import { testClient, testConnection } from '../helpers/jira-client.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.ts';

const SECRET = 'jira-sync/acme/auth';
const me = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'jira-sync', active: true };

let jira: JiraServer;
beforeAll(async () => {
  jira = await startJiraServer();
});
afterAll(() => jira.stop());

function connection(flavor: 'cloud' | 'datacenter', type: 'basic' | 'pat') {
  return testConnection({ id: 'acme-prod', flavor, baseUrl: jira.url, auth: { type, secret: SECRET } });
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Everything an error could expose: message, cause chain, stack, own fields. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  while (e instanceof Error) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(e));
    e = e.cause;
  }
  return parts.join('\n');
}

describe('authentication modes', () => {
  it.each([
    {
      mode: 'Cloud e-mail + API token (Basic)',
      flavor: 'cloud' as const,
      type: 'basic' as const,
      secret: { email: 'jira-sync@acme.example', apiToken: 'ATATT3xFfGF0-api-token' },
      header: basic('jira-sync@acme.example', 'ATATT3xFfGF0-api-token'),
    },
    {
      mode: 'Data Center username + password (Basic)',
      flavor: 'datacenter' as const,
      type: 'basic' as const,
      secret: { username: 'jira-sync', password: 'dc-password-7Hs2' },
      header: basic('jira-sync', 'dc-password-7Hs2'),
    },
    {
      mode: 'Data Center personal access token (Bearer)',
      flavor: 'datacenter' as const,
      type: 'pat' as const,
      secret: { token: 'NjM0NzQ1MTIzNDU2OmPAT' },
      header: 'Bearer NjM0NzQ1MTIzNDU2OmPAT',
    },
  ])('$mode', async ({ flavor, type, secret, header }) => {
    jira.reset();
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const { client } = testClient(connection(flavor, type), new MemorySecretStore({ [SECRET]: secret }));

    await getMyself(client);

    expect(jira.requests[0]?.headers).toMatchObject({
      authorization: header,
      'user-agent': USER_AGENT,
      accept: 'application/json',
    });
    expect(USER_AGENT).toMatch(/^jira-sync\/\d+\.\d+\.\d+/);
    expect(jira.violations).toEqual([]);
  });
});

describe('401: refetch the secret once, then fail naming the connection and auth type', () => {
  const old = { email: 'jira-sync@acme.example', apiToken: 'old-token-Pq1' };
  const rotated = { email: 'jira-sync@acme.example', apiToken: 'new-token-Zr8' };

  it('retries once with a rotated secret and succeeds', async () => {
    jira.reset();
    jira.on('GET', '/rest/api/2/myself', (req) =>
      req.headers.authorization === basic(rotated.email, rotated.apiToken)
        ? { status: 200, json: me }
        : { status: 401, json: { errorMessages: ['You are not authenticated.'], errors: {} } },
    );
    const secrets = new MemorySecretStore({ [SECRET]: old });
    const { client } = testClient(connection('cloud', 'basic'), secrets);
    await secrets.read(SECRET); // the container cached the old value...
    secrets.set(SECRET, rotated); // ...before it was rotated in Secrets Manager

    await expect(getMyself(client)).resolves.toMatchObject({ accountId: me.accountId });
    expect(jira.requests).toHaveLength(2);
    expect(secrets.freshReads).toBe(1);
  });

  it('does not retry when the refetched secret is unchanged, and never shows it', async () => {
    jira.reset();
    jira.on('GET', '/rest/api/2/myself', {
      status: 401,
      headers: { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' },
    });
    const secrets = new MemorySecretStore({ [SECRET]: old });
    const { client } = testClient(connection('cloud', 'basic'), secrets);

    const error = await getMyself(client).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'JIRA_UNAUTHORIZED',
      retryable: false,
      connectionId: 'acme-prod',
      status: 401,
    });
    expect((error as Error).message).toContain('connection acme-prod');
    expect((error as Error).message).toContain('basic credentials');
    expect((error as Error).message).toContain('AUTHENTICATED_FAILED');
    expect(everything(error)).not.toContain(old.apiToken);
    expect(everything(error)).not.toContain(basic(old.email, old.apiToken).slice(6));
    expect(jira.requests).toHaveLength(1);
    expect(secrets.freshReads).toBe(1);
  });

  it('fails after the single retry when the rotated secret is refused too', async () => {
    jira.reset();
    jira.on('GET', '/rest/api/2/myself', { status: 401 });
    const secrets = new MemorySecretStore({ [SECRET]: old });
    const { client } = testClient(connection('cloud', 'basic'), secrets);
    await secrets.read(SECRET);
    secrets.set(SECRET, rotated);

    const error = await getMyself(client).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'JIRA_UNAUTHORIZED' });
    expect(jira.requests).toHaveLength(2);
    expect(everything(error)).not.toContain(rotated.apiToken);
  });
});

describe('unusable credentials', () => {
  it('names the secret and the missing keys of a malformed secret, never its values', async () => {
    jira.reset();
    const secrets = new MemorySecretStore({
      [SECRET]: { email: 'jira-sync@acme.example', token: 'misnamed-secret-Kd9' },
    });
    const { client } = testClient(connection('cloud', 'basic'), secrets);

    const error = await getMyself(client).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'JIRA_CREDENTIALS_INVALID', retryable: false });
    expect((error as Error).message).toContain(`"${SECRET}"`);
    expect((error as Error).message).toContain('apiToken');
    expect((error as Error).message).toContain('{"email": "...", "apiToken": "..."}');
    expect(everything(error)).not.toContain('misnamed-secret-Kd9');
    expect(jira.requests).toHaveLength(0);
  });

  it('says the secret does not exist', async () => {
    const { client } = testClient(connection('datacenter', 'pat'), new MemorySecretStore());

    await expect(getMyself(client)).rejects.toMatchObject({
      code: 'JIRA_CREDENTIALS_INVALID',
      message: expect.stringContaining(`the pat secret "${SECRET}" does not exist`),
    });
  });

  it('is retryable when Secrets Manager cannot be reached', async () => {
    const secrets = new MemorySecretStore();
    secrets.failReads = Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
    const { client } = testClient(connection('datacenter', 'pat'), secrets);

    await expect(getMyself(client)).rejects.toMatchObject({
      code: 'JIRA_CREDENTIALS_UNAVAILABLE',
      retryable: true,
    });
  });
});
