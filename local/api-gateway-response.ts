import type { ServerResponse } from 'node:http';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';

const structuredResult = z.looseObject({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  cookies: z.array(z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

export interface HttpReply {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** API Gateway's own JSON error bodies, e.g. `{"message":"Not Found"}`. */
export function gatewayError(statusCode: number, message: string): HttpReply {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

/**
 * Maps a handler result back to HTTP as an HTTP API (payload 2.0) does: a structured result is used as-is
 * (cookies become `set-cookie` headers, base64 bodies are decoded); anything without a `statusCode` is taken
 * as a 200 JSON body. A structured result API Gateway could not parse becomes its 500.
 */
export function toHttpReply(result: APIGatewayProxyResultV2 | undefined): HttpReply {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const parsed = structuredResult.safeParse(result);
  if (!parsed.success) return gatewayError(500, 'Internal Server Error');
  const { statusCode, headers = {}, cookies = [], body = '', isBase64Encoded = false } = parsed.data;
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value);
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return { statusCode, headers: out, body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') };
}

export function writeReply(res: ServerResponse, reply: HttpReply, requestId: string): void {
  res.writeHead(reply.statusCode, {
    ...reply.headers,
    'content-length': String(reply.body.length),
    'apigw-requestid': requestId,
  });
  res.end(reply.body);
}
