import type { IncomingMessage } from 'node:http';
import { JiraError } from '../errors.ts';

/** Reads a request body up to `limit` bytes; beyond it Jira answers 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new JiraError(413, [`The request body exceeds the limit of ${limit} bytes.`]);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([\w.+-]*\+)?json\b/i.test(contentType);
}

/** Parses a JSON body; Jira answers a malformed one with 400 and a parser message. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw JiraError.badRequest('Unexpected character in the JSON body: the request body is not valid JSON.');
  }
}

export function parseForm(raw: Buffer): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
}
