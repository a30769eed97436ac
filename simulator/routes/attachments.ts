import { JiraError } from '../errors.ts';
import type { FormPart } from '../http/multipart.ts';
import { json, noContent } from '../http/reply.ts';
import type { Route, RouteContext } from '../http/route.ts';
import { attachmentStream } from '../http/server.ts';
import {
  addAttachments,
  deleteAttachment,
  findAttachment,
  type UploadedFile,
} from '../model/attachment-ops.ts';
import { attachmentJson, attachmentMetadataJson } from '../model/render.ts';

/** Multipart uploads need `X-Atlassian-Token: no-check`: Jira's XSRF guard refuses them otherwise. */
export function requireNoCheck(c: RouteContext): void {
  const token = c.headers['x-atlassian-token'];
  if ((Array.isArray(token) ? token[0] : token)?.toLowerCase() !== 'no-check') {
    throw JiraError.forbidden('XSRF check failed');
  }
}

export function uploadedFiles(parts: readonly FormPart[]): UploadedFile[] {
  const files = parts.filter((p) => p.name === 'file' && p.filename !== undefined);
  if (files.length === 0) throw JiraError.badRequest("No file parts named 'file' in the multipart body.");
  return files.map((p) => ({
    filename: p.filename ?? 'file',
    mimeType: p.contentType,
    content: p.content,
  }));
}

export const attachmentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/issue/{issueIdOrKey}/attachments',
    api: 'platform',
    write: true,
    multipart: true,
    handler: (c) => {
      requireNoCheck(c);
      const created = addAttachments(c.ops, c.actor, c.params.issueIdOrKey ?? '', uploadedFiles(c.parts));
      return json(
        200,
        created.map((a) => attachmentJson(c.render, a)),
      );
    },
  },
  {
    method: 'GET',
    path: '/attachment/{id}',
    api: 'platform',
    handler: (c) =>
      json(200, attachmentMetadataJson(c.render, findAttachment(c.ops, c.actor, c.params.id ?? ''))),
  },
  {
    method: 'DELETE',
    path: '/attachment/{id}',
    api: 'platform',
    handler: (c) => {
      deleteAttachment(c.ops, c.actor, c.params.id ?? '');
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/attachment/content/{id}',
    api: 'platform',
    handler: (c) => {
      const attachment = findAttachment(c.ops, c.actor, c.params.id ?? '');
      // Cloud redirects to its media service unless `redirect=false`; the simulator's media URL is signed.
      if (c.site.flavour === 'cloud' && c.query.get('redirect') !== 'false') {
        const location = `${c.site.baseUrl}/secure/attachment/${attachment.id}/${encodeURIComponent(attachment.filename)}?token=${c.site.mediaToken(attachment.id)}`;
        return { status: 303, headers: { Location: location } };
      }
      return attachmentStream(attachment);
    },
  },
];
