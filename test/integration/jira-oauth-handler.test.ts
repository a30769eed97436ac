import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaContext } from '../../local/lambda-context.ts';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../local/secrets-manager-server.ts';
import { resetAwsClients } from '../../shared/aws/clients.ts';
import { setConfigForProcess } from '../../shared/config/current.ts';
import { parseConfigText } from '../../shared/config/load.ts';
import { AtlassianAuth } from '../helpers/jira-atlassian.ts';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.ts';

// The real functions/oauth handler, with the real SDK client against a local Secrets Manager and a local
// Atlassian: what API Gateway would invoke for /start and /callback.
const SECRET = 'jira-sync/acme-oauth/auth';
const CLIENT = { clientId: 'oauth-client-id-Ab12', clientSecret: 'oauth-client-secret-Zy98' };
const CLOUD_ID = '11223344-a1b2-3b33-c444-def123456789';
const HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

let jira: JiraServer;
let atlassian: AtlassianAuth;
let secrets: SecretsManagerServer;
let dir: string;
let handler: Handler;
const logged: string[] = [];
const saved = { ...process.env };
const writes = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(async () => {
  jira = await startJiraServer();
  atlassian = new AtlassianAuth(jira, {
    ...CLIENT,
    cloudId: CLOUD_ID,
    siteUrl: 'https://acme.atlassian.net',
  });
  dir = await mkdtemp(join(tmpdir(), 'jira-sync-oauth-handler-'));
  secrets = await startSecretsManagerServer({
    file: join(dir, 'secrets.json'),
    seed: { ifMissing: { [SECRET]: JSON.stringify(CLIENT) } },
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  resetAwsClients();
  setConfigForProcess(
    parseConfigText(
      JSON.stringify({
        connections: [
          {
            id: 'acme-oauth',
            flavor: 'cloud',
            baseUrl: 'https://acme.atlassian.net',
            auth: {
              type: 'oauth',
              secret: SECRET,
              authorizeUrl: `${jira.url}/authorize`,
              tokenUrl: `${jira.url}/oauth/token`,
              apiUrl: jira.url,
            },
            webhook: { verify: 'url-token', secret: 'jira-sync/acme-oauth/webhook' },
          },
        ],
      }),
      'handler-test.json',
    ),
  );
  const capture = ((chunk: unknown) => {
    logged.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  ({ handler } = (await import('../../functions/oauth/handler.ts')) as { handler: Handler });
});

afterAll(async () => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  process.env = saved;
  setConfigForProcess(undefined);
  resetAwsClients();
  await jira.stop();
  await secrets.stop();
  await rm(dir, { recursive: true, force: true });
});

function event(
  step: 'start' | 'callback',
  query: Record<string, string> = {},
  cookies?: string[],
): APIGatewayProxyEventV2 {
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: `GET /oauth/{connectionId}/${step}`,
    rawPath: `/oauth/acme-oauth/${step}`,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers: { host: HOST, 'x-forwarded-proto': 'https', 'user-agent': 'Mozilla/5.0' },
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    pathParameters: { connectionId: 'acme-oauth' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: HOST,
      domainPrefix: 'abc123',
      http: {
        method: 'GET',
        path: `/oauth/acme-oauth/${step}`,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'Mozilla/5.0',
      },
      requestId: 'req-1',
      routeKey: `GET /oauth/{connectionId}/${step}`,
      stage: '$default',
      time: '02/Mar/2026:10:00:00 +0000',
      timeEpoch: Date.parse('2026-03-02T10:00:00Z'),
    },
    isBase64Encoded: false,
  };
}

const context = () =>
  createLambdaContext({
    functionName: 'oauth',
    timeoutMs: 20_000,
    region: 'us-east-1',
    accountId: '123456789012',
  });

describe('functions/oauth handler', () => {
  it('runs a whole consent: redirect with a cookie, then callback storing the tokens', async () => {
    const start = await handler(event('start'), context());

    expect(start.statusCode).toBe(302);
    const location = new URL(String(start.headers?.location));
    expect(location.searchParams.get('redirect_uri')).toBe(`https://${HOST}/oauth/acme-oauth/callback`);
    const [cookie] = start.cookies ?? [];
    expect(cookie).toMatch(
      /^jira_sync_oauth_state=[\w-]+; Path=\/oauth\/acme-oauth; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/,
    );

    const code = 'code-from-atlassian-Mm4';
    atlassian.codes.set(code, { redirectUri: String(location.searchParams.get('redirect_uri')) });
    const nonce = String(cookie?.split(';')[0]);
    const done = await handler(
      event('callback', { code, state: String(location.searchParams.get('state')) }, [nonce, 'other=1']),
      context(),
    );

    expect(done.statusCode).toBe(200);
    expect(done.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    expect(done.body).toContain('<h1>Connected</h1>');
    expect(done.cookies?.[0]).toContain('Max-Age=0');
    const stored = JSON.parse(secrets.store.get(SECRET) ?? '{}') as Record<string, string>;
    expect(stored).toMatchObject({ ...CLIENT, cloudId: CLOUD_ID });
    expect(atlassian.refreshTokens.has(stored.refreshToken ?? '')).toBe(true);

    // Nothing secret reaches a log line: not the code, the state, the client secret or the tokens.
    const logs = logged.join('');
    expect(logs).toContain('oauth consent completed');
    for (const value of [
      code,
      location.searchParams.get('state'),
      CLIENT.clientSecret,
      stored.refreshToken,
      stored.accessToken,
    ]) {
      expect(logs).not.toContain(String(value));
    }
  });

  it('answers a plain error page for a callback without a valid state', async () => {
    const result = await handler(event('callback', { code: 'c', state: 'forged' }), context());

    expect(result.statusCode).toBe(409); // the connection is authorised now: no consent is accepted
    expect(result.body).toContain('Not connected');
    expect(logged.join('')).toContain('oauth consent failed');
  });
});
