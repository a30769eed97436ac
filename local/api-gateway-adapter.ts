import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { type ApiGatewayIdentity, type MatchedRoute, toApiGatewayEvent } from './api-gateway-event.ts';
import { gatewayError, type HttpReply, toHttpReply, writeReply } from './api-gateway-response.ts';
import type { IngestHandler } from './handler-types.ts';
import { readBody } from './http-body.ts';
import { createLambdaContext } from './lambda-context.ts';
import { BodyTooLargeError } from './local-errors.ts';
import { listenOnLoopback } from './loopback-server.ts';

/**
 * The local API Gateway HTTP API: `POST /webhooks/{connectionId}` runs the ingest handler with a payload 2.0
 * event, `GET /healthz` answers locally, anything else is API Gateway's 404. 127.0.0.1 only.
 */

export const WEBHOOK_ROUTE_KEY = 'POST /webhooks/{connectionId}';

export interface ApiGatewayAdapterOptions {
  readonly handler: IngestHandler;
  /** 0 picks a free port; default 3000. */
  readonly port?: number;
  /** API Gateway's payload cap is 10 MiB. */
  readonly maxBodyBytes?: number;
  /** HTTP APIs give up on an integration after 30 s (503). */
  readonly integrationTimeoutMs?: number;
  readonly functionName?: string;
  readonly functionTimeoutMs?: number;
  readonly region?: string;
  readonly identity?: ApiGatewayIdentity;
  /** Where invocation failures are reported (API Gateway logs them; the caller only sees a 500). */
  readonly onError?: (error: unknown) => void;
}

export interface ApiGatewayAdapter {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const TEN_MIB = 10 * 1024 * 1024;

export async function startApiGatewayAdapter(options: ApiGatewayAdapterOptions): Promise<ApiGatewayAdapter> {
  const maxBodyBytes = options.maxBodyBytes ?? TEN_MIB;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? 30_000;
  const identity = options.identity ?? { accountId: '000000000000', apiId: 'local' };
  const region = options.region ?? 'us-east-1';
  const functionName = options.functionName ?? 'jira-sync-webhook-ingest';

  const invoke = async (req: IncomingMessage, route: MatchedRoute): Promise<HttpReply> => {
    const body = await readBody(req, maxBodyBytes);
    const event = toApiGatewayEvent(req, body, route, identity);
    const context = createLambdaContext({
      functionName,
      timeoutMs: options.functionTimeoutMs ?? integrationTimeoutMs,
      region,
      accountId: identity.accountId,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), integrationTimeoutMs);
    });
    try {
      const result = await Promise.race([options.handler(event, context), timeout]);
      if (result === 'timeout') return gatewayError(503, 'Service Unavailable');
      return toHttpReply(result as APIGatewayProxyResultV2);
    } finally {
      clearTimeout(timer);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    let reply: HttpReply;
    try {
      const route = match(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/');
      if (route === 'healthz') {
        reply = {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from('{"status":"ok"}'),
        };
      } else if (route === undefined) {
        reply = gatewayError(404, 'Not Found');
      } else {
        reply = await invoke(req, route);
      }
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        reply = gatewayError(413, 'Request Entity Too Large');
        // Discard the rest of the upload without buffering it, then close the connection.
        req.resume();
        res.setHeader('connection', 'close');
      } else {
        options.onError?.(error);
        reply = gatewayError(500, 'Internal Server Error');
      }
    }
    writeReply(res, reply, requestId);
  };

  const server = createServer((req, res) => void handle(req, res));
  const listener = await listenOnLoopback(server, options.port ?? 3000);
  return {
    url: listener.url,
    port: listener.port,
    stop: listener.stop,
  };
}

function match(method: string, path: string): MatchedRoute | 'healthz' | undefined {
  if (method === 'GET' && path === '/healthz') return 'healthz';
  const webhook = /^\/webhooks\/([^/]+)$/.exec(path);
  const raw = webhook?.[1];
  if (method !== 'POST' || raw === undefined) return undefined;
  let connectionId: string;
  try {
    connectionId = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return { routeKey: WEBHOOK_ROUTE_KEY, pathParameters: { connectionId } };
}
