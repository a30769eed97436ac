import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { clfTime, traceId } from '../local/api-gateway-event.ts';
import { signBody } from '../shared/webhook/signature.ts';

/** A real Jira Cloud `jira:issue_updated` delivery (see test/fixtures/webhooks/README.md). */
const FIXTURE = new URL('../test/fixtures/webhooks/cloud-issue-updated.json', import.meta.url);

export interface WebhookEventFactory {
  readonly bodyBytes: number;
  /** A new delivery: same body, fresh webhook identifier, as Jira sends for distinct events. */
  next(): APIGatewayProxyEventV2;
}

/**
 * Builds API Gateway HTTP API (payload 2.0) events for `POST /webhooks/{connectionId}` as a Jira Cloud
 * admin webhook with a secret produces them. The body is signed once: it does not change between calls.
 */
export function webhookEventFactory(connectionId: string, secret: string): WebhookEventFactory {
  const body = readFileSync(FIXTURE, 'utf8');
  const signature = signBody('sha256', secret, Buffer.from(body, 'utf8'));
  const rawPath = `/webhooks/${connectionId}`;
  const bodyBytes = Buffer.byteLength(body);
  return {
    bodyBytes,
    next: () => {
      const now = Date.now();
      return {
        version: '2.0',
        routeKey: 'POST /webhooks/{connectionId}',
        rawPath,
        rawQueryString: '',
        headers: {
          accept: '*/*',
          'content-length': String(bodyBytes),
          'content-type': 'application/json; charset=UTF-8',
          host: 'abc123.execute-api.us-east-1.amazonaws.com',
          'user-agent': 'Atlassian Webhook HTTP Client',
          'x-amzn-trace-id': traceId(new Date(now)),
          'x-atlassian-webhook-flow': 'Primary',
          'x-atlassian-webhook-identifier': randomUUID(),
          'x-forwarded-for': '13.52.5.96',
          'x-forwarded-port': '443',
          'x-forwarded-proto': 'https',
          'x-hub-signature': signature,
        },
        pathParameters: { connectionId },
        requestContext: {
          accountId: '000000000000',
          apiId: 'abc123',
          domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
          domainPrefix: 'abc123',
          http: {
            method: 'POST',
            path: rawPath,
            protocol: 'HTTP/1.1',
            sourceIp: '13.52.5.96',
            userAgent: 'Atlassian Webhook HTTP Client',
          },
          requestId: randomBytes(12).toString('base64'),
          routeKey: 'POST /webhooks/{connectionId}',
          stage: '$default',
          time: clfTime(new Date(now)),
          timeEpoch: now,
        },
        body,
        isBase64Encoded: false,
      };
    },
  };
}
