import { describe, expect, it } from 'vitest';
import { DEMO_AUTH_SECRETS } from '../../../local/demo-secrets.ts';
import { loadConfigFile } from '../../../shared/config/load.ts';
import {
  authorizationHeader,
  expectedShape,
  parseOAuthSecret,
  parseStaticCredentials,
} from '../../../shared/jira/auth/credentials.ts';
import { testConnection } from '../../helpers/jira-client.ts';

const cloudBasic = testConnection({
  flavor: 'cloud',
  baseUrl: 'https://acme.atlassian.net',
  auth: { type: 'basic', secret: 's' },
});
const dcBasic = testConnection({
  flavor: 'datacenter',
  baseUrl: 'https://jira.acme.internal',
  auth: { type: 'basic', secret: 's' },
});
const pat = testConnection({
  flavor: 'datacenter',
  baseUrl: 'https://jira.acme.internal',
  auth: { type: 'pat', secret: 's' },
});
const oauth = testConnection({
  flavor: 'cloud',
  baseUrl: 'https://acme.atlassian.net',
  auth: { type: 'oauth', secret: 's' },
});

describe('auth secret shapes', () => {
  it('Cloud basic is e-mail + API token', () => {
    const credentials = parseStaticCredentials('{"email":"a@acme.example","apiToken":"tok"}', cloudBasic);

    expect(authorizationHeader(credentials)).toBe(
      `Basic ${Buffer.from('a@acme.example:tok').toString('base64')}`,
    );
  });

  it('Data Center basic is username + password', () => {
    const credentials = parseStaticCredentials('{"username":"jira-sync","password":"pw"}', dcBasic);

    expect(authorizationHeader(credentials)).toBe(`Basic ${Buffer.from('jira-sync:pw').toString('base64')}`);
  });

  it('a personal access token is sent as Bearer', () => {
    expect(authorizationHeader(parseStaticCredentials('{"token":"pat-1"}', pat))).toBe('Bearer pat-1');
  });

  it('OAuth needs the client credentials; tokens come with the consent; unknown keys are kept', () => {
    const secret = parseOAuthSecret('{"clientId":"id","clientSecret":"cs","note":"kept"}', oauth);

    expect(secret).toEqual({ clientId: 'id', clientSecret: 'cs', note: 'kept' });
  });

  it.each([
    { name: 'not JSON', raw: 'ATATT-plain-token', connection: cloudBasic, problem: 'is not JSON' },
    {
      name: 'a Data Center secret on Cloud',
      raw: '{"username":"u","password":"SuperSecret1"}',
      connection: cloudBasic,
      problem: 'email, apiToken',
    },
    { name: 'an empty token', raw: '{"token":"  "}', connection: pat, problem: 'token' },
    {
      name: 'a bad expiry',
      raw: '{"clientId":"i","clientSecret":"SuperSecret1","expiresAt":"tomorrow"}',
      connection: oauth,
      problem: 'expiresAt',
    },
  ])('refuses $name, naming keys and the expected shape but no value', ({ raw, connection, problem }) => {
    const error = (() => {
      try {
        return connection.auth.type === 'oauth'
          ? parseOAuthSecret(raw, connection)
          : parseStaticCredentials(raw, connection);
      } catch (e) {
        return e;
      }
    })();

    expect(error).toMatchObject({ code: 'JIRA_CREDENTIALS_INVALID', retryable: false });
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).toContain(expectedShape(connection));
    expect((error as Error).message).not.toMatch(/SuperSecret1|ATATT-plain-token/);
  });
});

describe('local demo secrets', () => {
  it('match the shapes of the demo connections', () => {
    const config = loadConfigFile('local/demo.config.yaml');
    for (const connection of config.connections) {
      const raw = DEMO_AUTH_SECRETS[connection.auth.secret];

      expect(raw, connection.auth.secret).toBeDefined();
      if (connection.auth.type === 'oauth')
        expect(() => parseOAuthSecret(raw ?? '', connection)).not.toThrow();
      else expect(() => parseStaticCredentials(raw ?? '', connection)).not.toThrow();
    }
  });
});
