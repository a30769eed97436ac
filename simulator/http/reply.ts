import type { Readable } from 'node:stream';

/** What a route answers: JSON (checked against the contract), nothing, or a binary stream. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly stream?: { readonly content: Readable; readonly contentType: string; readonly length?: number };
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

export const noContent = (status = 204, headers?: Record<string, string>): Reply => ({
  status,
  ...(headers ? { headers } : {}),
});
