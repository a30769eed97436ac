import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The parts of API Gateway's identity that appear in events; fixed values locally. */
export interface ApiGatewayIdentity {
  readonly accountId: string;
  readonly apiId: string;
}

export interface MatchedRoute {
  /** e.g. `POST /webhooks/{connectionId}` */
  readonly routeKey: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
}

/**
 * Content types HTTP APIs hand to Lambda as text; anything else (or no content type) arrives base64-encoded
 * with `isBase64Encoded: true`. AWS infers this from the request's content-type header: "The HTTP API Lambda
 * integration automatically infers the need for encoding based on the content-type header" (AWS Compute Blog,
 * "Handling binary data using Amazon API Gateway HTTP APIs": text/plain arrives as text, image/jpeg as base64).
 * The exact list is not published; these are the types Jira and Automation send.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    mediaType.startsWith('text/') ||
    mediaType === 'application/json' ||
    mediaType === 'application/x-www-form-urlencoded'
  );
}

/**
 * Turns a Node request into an API Gateway HTTP API payload format 2.0 event: header names lower-cased,
 * repeated headers and query parameters joined with commas, cookies moved from the `cookie` header into
 * `cookies`, and optional fields left out when empty, as API Gateway does.
 */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  route: MatchedRoute,
  identity: ApiGatewayIdentity,
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
  const sourceIp = normaliseIp(req.socket.remoteAddress);

  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values) continue;
    if (name === 'cookie') {
      cookies = values
        .flatMap((v) => v.split(';'))
        .map((c) => c.trim())
        .filter((c) => c.length > 0);
      continue;
    }
    headers[name] = values.join(',');
  }
  const host = headers.host ?? '127.0.0.1';
  const domainName = host.replace(/:\d+$/, '');
  const port = /:(\d+)$/.exec(host)?.[1] ?? '80';
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] = port;
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] = traceId(now);
  const requestId = randomBytes(12).toString('base64');

  const isBase64Encoded = body.length > 0 && !isTextContentType(headers['content-type']);
  const query = parseQuery(rawQueryString);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(route.pathParameters ? { pathParameters: { ...route.pathParameters } } : {}),
    requestContext: {
      accountId: identity.accountId,
      apiId: identity.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString(isBase64Encoded ? 'base64' : 'utf8') } : {}),
    isBase64Encoded,
  };
}

function parseQuery(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const joined = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(raw)) {
    const previous = joined.get(key);
    joined.set(key, previous === undefined ? value : `${previous},${value}`);
  }
  return joined.size > 0 ? Object.fromEntries(joined) : undefined;
}

function normaliseIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** `Root=1-<epoch seconds hex>-<96-bit id>`, the X-Ray format API Gateway adds. */
export function traceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
export function clfTime(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(now.getUTCDate())}/${MONTHS[now.getUTCMonth()]}/${now.getUTCFullYear()}:` +
    `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} +0000`
  );
}
