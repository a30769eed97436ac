import { request } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiGatewayAdapter, startApiGatewayAdapter } from '../../local/api-gateway-adapter.ts';

interface Sent {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** node:http rather than fetch, so repeated header lines reach the server as sent. */
function send(
  url: string,
  method: string,
  headers: Record<string, string | string[]> = {},
  body?: Buffer | string,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.end(body);
  });
}

describe('local API Gateway adapter', () => {
  let api: ApiGatewayAdapter;
  let events: APIGatewayProxyEventV2[];
  let contexts: Context[];
  let reply: () => Promise<APIGatewayProxyResultV2>;
  let errors: unknown[];

  beforeAll(async () => {
    api = await startApiGatewayAdapter({
      port: 0,
      maxBodyBytes: 1024,
      handler: async (event, context) => {
        events.push(event);
        contexts.push(context);
        return reply();
      },
      onError: (error) => errors.push(error),
    });
  });

  afterAll(() => api.stop());

  beforeEach(() => {
    events = [];
    contexts = [];
    errors = [];
    reply = async () => ({ statusCode: 202, body: '' });
  });

  it('builds a payload 2.0 event for a JSON webhook', async () => {
    const body = '{"webhookEvent":"jira:issue_updated"}';

    const res = await send(
      `${api.url}/webhooks/demo-cloud?token=a&token=b&x=%20y`,
      'POST',
      {
        'Content-Type': 'application/json',
        'X-Atlassian-Webhook-Identifier': 'wh-1',
        'X-Repeat': ['one', 'two'],
        Cookie: 'a=1; b=2',
        'User-Agent': 'Atlassian Webhook HTTP Client',
      },
      body,
    );

    const event = events[0];
    expect(res.status).toBe(202);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/{connectionId}',
      rawPath: '/webhooks/demo-cloud',
      rawQueryString: 'token=a&token=b&x=%20y',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { token: 'a,b', x: ' y' },
      pathParameters: { connectionId: 'demo-cloud' },
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1',
        http: {
          method: 'POST',
          path: '/webhooks/demo-cloud',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'Atlassian Webhook HTTP Client',
        },
        routeKey: 'POST /webhooks/{connectionId}',
        stage: '$default',
      },
    });
    expect(event?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-atlassian-webhook-identifier': 'wh-1',
      'x-repeat': 'one,two',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(event?.headers).not.toHaveProperty('cookie');
    expect(event?.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs((event?.requestContext.timeEpoch ?? 0) - Date.now())).toBeLessThan(5000);
    expect(contexts[0]).toMatchObject({ functionName: 'jira-sync-webhook-ingest' });
    expect(contexts[0]?.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('passes a form-encoded body as text and leaves out absent optional fields', async () => {
    await send(
      `${api.url}/webhooks/demo-dc`,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'a=1&b=2',
    );

    expect(events[0]).toMatchObject({ body: 'a=1&b=2', isBase64Encoded: false, rawQueryString: '' });
    expect(events[0]).not.toHaveProperty('queryStringParameters');
    expect(events[0]).not.toHaveProperty('cookies');
  });

  it('base64-encodes binary bodies and bodies without a content type', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);

    await send(
      `${api.url}/webhooks/demo-cloud`,
      'POST',
      { 'content-type': 'application/octet-stream' },
      bytes,
    );
    await send(`${api.url}/webhooks/demo-cloud`, 'POST', {}, 'no type');

    expect(events[0]).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(events[1]).toMatchObject({
      body: Buffer.from('no type').toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('maps the structured result back: status, headers, cookies and base64 bodies', async () => {
    reply = async () => ({
      statusCode: 401,
      headers: { 'Content-Type': 'application/json', 'X-Count': 2 },
      cookies: ['s=1; Path=/', 't=2'],
      body: Buffer.from('{"message":"Unauthorized"}').toString('base64'),
      isBase64Encoded: true,
    });

    const res = await send(
      `${api.url}/webhooks/demo-cloud`,
      'POST',
      { 'content-type': 'application/json' },
      '{}',
    );

    expect(res.status).toBe(401);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json', 'x-count': '2' });
    expect(res.headers['set-cookie']).toEqual(['s=1; Path=/', 't=2']);
    expect(res.headers['apigw-requestid']).toBeTruthy();
    expect(res.body.toString()).toBe('{"message":"Unauthorized"}');
  });

  it.each([
    ['GET', '/webhooks/demo-cloud'],
    ['POST', '/webhooks'],
    ['POST', '/webhooks/a/b'],
    ['GET', '/'],
  ])('answers %s %s with API Gateway 404', async (method, path) => {
    const res = await send(`${api.url}${path}`, method);

    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Not Found' });
    expect(events).toEqual([]);
  });

  it('answers GET /healthz without invoking the handler', async () => {
    const res = await send(`${api.url}/healthz`, 'GET');

    expect(res.status).toBe(200);
    expect(events).toEqual([]);
  });

  it('answers 500 like API Gateway when the handler throws, and reports the error', async () => {
    reply = async () => {
      throw new Error('boom');
    };

    const res = await send(
      `${api.url}/webhooks/demo-cloud`,
      'POST',
      { 'content-type': 'application/json' },
      '{}',
    );

    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Internal Server Error' });
    expect(errors).toHaveLength(1);
  });

  it('answers 413 above the body cap without invoking the handler', async () => {
    const res = await send(
      `${api.url}/webhooks/demo-cloud`,
      'POST',
      { 'content-type': 'application/json' },
      'x'.repeat(2048),
    );

    expect(res.status).toBe(413);
    expect(events).toEqual([]);
  });
});
