import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { JiraClient, JiraClientOptions } from '../../shared/jira/client.ts';
import { type FakeClock, testClient, testConnection } from './jira-client.ts';
import { MemorySecretStore } from './jira-secrets.ts';
import { type JiraServer, startJiraServer } from './jira-server.ts';

export const AUTH_SECRET = 'jira-sync/acme/auth';
export const CLOUD_CREDENTIALS = { email: 'jira-sync@acme.example', apiToken: 'cloud-api-token-9f3Kq' };
export const DC_CREDENTIALS = { username: 'jira-sync', password: 'dc-password-7Hs2' };
export const PAT_CREDENTIALS = { token: 'dc-personal-access-token-4Lx8' };

export interface JiraFixture {
  server: JiraServer;
  client: JiraClient;
  clock: FakeClock;
  secrets: MemorySecretStore;
}

/**
 * One scriptable Jira on 127.0.0.1 per test file and a client of the given flavour pointed at it. After
 * each test the contract violations must be empty, then the routes are cleared.
 */
export function useJira(
  setup: {
    readonly flavor: 'cloud' | 'datacenter';
    readonly auth?: 'basic' | 'pat';
    readonly serviceManagement?: boolean;
    readonly options?: JiraClientOptions;
  } = { flavor: 'cloud' },
): JiraFixture {
  const fixture = {} as JiraFixture;
  beforeAll(async () => {
    fixture.server = await startJiraServer();
    const auth = setup.auth ?? 'basic';
    fixture.secrets = new MemorySecretStore({
      [AUTH_SECRET]:
        auth === 'pat' ? PAT_CREDENTIALS : setup.flavor === 'cloud' ? CLOUD_CREDENTIALS : DC_CREDENTIALS,
    });
    const connection = testConnection({
      flavor: setup.flavor,
      baseUrl: setup.flavor === 'cloud' ? fixture.server.url : `${fixture.server.url}/jira`,
      auth: { type: auth, secret: AUTH_SECRET },
      serviceManagement: setup.serviceManagement ?? false,
    });
    const made = testClient(connection, fixture.secrets, setup.options);
    fixture.client = made.client;
    fixture.clock = made.clock;
  });
  afterEach(() => {
    const violations = [...fixture.server.violations];
    fixture.server.reset();
    expect(violations).toEqual([]);
  });
  afterAll(async () => {
    await fixture.server?.stop();
  });
  return fixture;
}
