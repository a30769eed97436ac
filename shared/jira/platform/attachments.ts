import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { PERMISSIONS } from '../permissions.ts';
import { type JiraDownload, jiraPath } from '../request.ts';
import { idSchema, userSchema } from '../schemas.ts';

export const attachmentSchema = z.looseObject({
  id: idSchema,
  filename: z.string(),
  size: z.number().optional(),
  mimeType: z.string().optional(),
  /** Download URL; on Data Center the one to use. */
  content: z.string().optional(),
  created: z.string().optional(),
  author: userSchema.optional(),
});
export type JiraAttachment = z.infer<typeof attachmentSchema>;

const issueAttachmentsSchema = z.looseObject({
  fields: z.looseObject({ attachment: z.array(attachmentSchema).default([]) }).default({ attachment: [] }),
});

/** An issue's attachments (Jira lists them as the issue's `attachment` field). */
export async function listAttachments(client: JiraClient, issueIdOrKey: string): Promise<JiraAttachment[]> {
  const issue = await client.send({
    operation: 'getIssue',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}`,
    query: { fields: ['attachment'] },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: issueAttachmentsSchema,
  });
  return issue.fields.attachment;
}

export function getAttachment(client: JiraClient, attachmentId: string): Promise<JiraAttachment> {
  return client.send({
    operation: 'getAttachment',
    method: 'GET',
    path: jiraPath`/rest/api/2/attachment/${attachmentId}`,
    expect: attachmentSchema,
  });
}

/**
 * Streams an attachment's content. Cloud serves it from `/attachment/content/{id}` (`redirect=false`, so
 * the bytes come from Jira rather than a media host that must not see our credentials); Data Center from
 * `/secure/attachment/{id}/{filename}` on the connection's own base URL (the `content` URL Jira reports
 * carries Jira's configured base URL, which may not be the one jira-sync reaches it by).
 */
export function downloadAttachment(
  client: JiraClient,
  attachment: Pick<JiraAttachment, 'id' | 'filename'>,
  options: { readonly timeoutMs?: number } = {},
): Promise<JiraDownload> {
  const common = {
    operation: 'getAttachmentContent',
    method: 'GET',
    headers: { accept: '*/*' },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    expect: 'stream',
  } as const;
  if (client.flavor === 'datacenter') {
    return client.send({
      ...common,
      path: jiraPath`/secure/attachment/${attachment.id}/${attachment.filename}`,
    });
  }
  return client.send({
    ...common,
    path: jiraPath`/rest/api/2/attachment/content/${attachment.id}`,
    query: { redirect: false },
  });
}

export interface UploadInput {
  readonly filename: string;
  readonly contentType?: string;
  /** Bytes, a Blob, or a stream (another site's download, a Node Readable), sent without buffering. */
  readonly content: Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
}

/** Uploads one file. Jira refuses multipart without `X-Atlassian-Token: no-check` (XSRF protection). */
export async function addAttachment(
  client: JiraClient,
  issueIdOrKey: string,
  file: UploadInput,
  options: { readonly timeoutMs?: number } = {},
): Promise<JiraAttachment[]> {
  return client.send({
    // The timeout covers sending the file too: give large uploads more than the default.
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    operation: 'addAttachment',
    method: 'POST',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/attachments`,
    headers: { 'x-atlassian-token': 'no-check' },
    multipart: [{ field: 'file', ...file }],
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.attach],
    expect: z.array(attachmentSchema),
  });
}

export async function deleteAttachment(client: JiraClient, attachmentId: string): Promise<void> {
  await client.send({
    operation: 'removeAttachment',
    method: 'DELETE',
    path: jiraPath`/rest/api/2/attachment/${attachmentId}`,
    expect: 'nothing',
  });
}
