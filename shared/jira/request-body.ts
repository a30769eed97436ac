import { randomBytes } from 'node:crypto';
import type { JiraRequest, MultipartFile } from './request.ts';

export interface EncodedBody {
  readonly body: NonNullable<RequestInit['body']>;
  readonly contentType?: string;
  /** False when the body is a stream: it is consumed by the first attempt. */
  readonly replayable: boolean;
}

/**
 * Multipart bodies. Blobs and byte arrays go through FormData (fetch sets the boundary, and the body can
 * be sent again after a 429); streams are framed by hand so an attachment copied from one site to another
 * flows through without being held in memory.
 */
export function encodeMultipart(files: readonly MultipartFile[]): EncodedBody {
  if (files.every((f) => f.content instanceof Blob || f.content instanceof Uint8Array)) {
    const form = new FormData();
    for (const f of files) {
      const content = f.content;
      const type = f.contentType ?? 'application/octet-stream';
      if (content instanceof Blob) form.append(f.field, content, f.filename);
      else if (content instanceof Uint8Array) form.append(f.field, new Blob([content], { type }), f.filename);
    }
    return { body: form, replayable: true };
  }
  const boundary = `----jira-sync-${randomBytes(12).toString('hex')}`;
  // Pull-based, so a slow Jira slows the source down instead of the chunks piling up in memory.
  const iterator = frames(boundary, files);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
  return { body: stream, contentType: `multipart/form-data; boundary=${boundary}`, replayable: false };
}

async function* frames(
  boundary: string,
  parts: readonly MultipartFile[],
): AsyncGenerator<Uint8Array, void, undefined> {
  const encoder = new TextEncoder();
  for (const part of parts) {
    yield encoder.encode(partHeader(boundary, part));
    const content = part.content;
    if (content instanceof Blob) yield new Uint8Array(await content.arrayBuffer());
    else if (content instanceof Uint8Array) yield content;
    // Web streams and Node Readables are both async iterables of byte chunks.
    else for await (const chunk of content) yield chunk;
    yield encoder.encode('\r\n');
  }
  yield encoder.encode(`--${boundary}--\r\n`);
}

function partHeader(boundary: string, part: MultipartFile): string {
  // RFC 7578: quotes and line breaks in the file name are percent-encoded, never sent raw.
  const filename = part.filename.replace(
    /["\r\n%]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return (
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${part.field}"; filename="${filename}"\r\n` +
    `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`
  );
}

/** JSON bodies are rebuilt per attempt; a streamed multipart body can be sent only once. */
/** What one attempt sends: a body and its content type, or neither. */
export interface AttemptBody {
  readonly body?: NonNullable<RequestInit['body']>;
  readonly contentType?: string;
}

export function bodyEncoder(request: JiraRequest): { readonly replayable: boolean; next(): AttemptBody } {
  if (request.multipart) {
    const files = request.multipart;
    const first = encodeMultipart(files);
    let used = false;
    return {
      replayable: first.replayable,
      next() {
        const encoded = used ? encodeMultipart(files) : first;
        used = true;
        return encoded.contentType
          ? { body: encoded.body, contentType: encoded.contentType }
          : { body: encoded.body };
      },
    };
  }
  if (request.json !== undefined) {
    const text = JSON.stringify(request.json);
    return { replayable: true, next: () => ({ body: text, contentType: 'application/json' }) };
  }
  return { replayable: true, next: () => ({}) };
}
