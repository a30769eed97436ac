import type * as z from 'zod';

export type JiraMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

/**
 * A file part of a multipart upload. A stream (web `ReadableStream` or Node `Readable`) is sent as it
 * arrives, never buffered, so it cannot be sent twice: such an upload is not retried.
 */
export interface MultipartFile {
  /** Form field name; Jira's attachment upload reads `file`. */
  readonly field: string;
  readonly filename: string;
  readonly contentType?: string;
  readonly content: Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
}

/** One call to Jira, as the operations describe it; the client adds base URL, auth, limits and errors. */
export interface JiraRequest {
  /** Operation name (`editIssue`): error messages, logs, and the key of per-endpoint rate limits. */
  readonly operation: string;
  readonly method: JiraMethod;
  /** Path from the site root, e.g. `/rest/api/2/issue/10002`; build it with `jiraPath`. */
  readonly path: string;
  /** Arrays are sent comma-separated (`fields=summary,status`), Jira's convention. */
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly json?: unknown;
  readonly multipart?: readonly MultipartFile[];
  readonly headers?: Readonly<Record<string, string>>;
  /** Issue id or key the call is about: per-issue write limits and 403 diagnosis. */
  readonly issue?: string;
  /** Project key the call is about, for 403 diagnosis when no issue is named. */
  readonly project?: string;
  /** Project permissions the call needs; on 403 mypermissions tells which of them are missing. */
  readonly permissions?: readonly string[];
  /** Overrides the client's per-call timeout. */
  readonly timeoutMs?: number;
}

/** A streamed download: the body is read by the caller, never buffered by the client. */
export interface JiraDownload {
  readonly body: ReadableStream<Uint8Array>;
  readonly contentType: string | undefined;
  readonly contentLength: number | undefined;
}

export type Expect = z.ZodType | 'stream' | 'nothing';

/** Builds a path, percent-encoding every interpolated segment: ids and keys never change the path's shape. */
export function jiraPath(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    '',
  );
}

export function queryString(query: JiraRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.append(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function isWrite(method: JiraMethod): boolean {
  return method !== 'GET';
}

/** GET, PUT and DELETE can be sent twice without a second effect; POST cannot. */
export function isIdempotent(method: JiraMethod): boolean {
  return method !== 'POST';
}
