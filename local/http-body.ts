import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from './local-errors.ts';

/**
 * Reads a request body into memory, failing fast once `limitBytes` is passed so an oversized upload is
 * never buffered whole. A declared Content-Length above the limit is rejected before reading anything.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
