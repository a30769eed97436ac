import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import { idSchema } from '../schemas.ts';

const remoteObjectSchema = z.looseObject({
  url: z.string(),
  title: z.string(),
  summary: z.string().optional(),
  icon: z.looseObject({ url16x16: z.string().optional(), title: z.string().optional() }).optional(),
  status: z.looseObject({ resolved: z.boolean().optional() }).optional(),
});

export const remoteLinkSchema = z.looseObject({
  id: idSchema,
  globalId: z.string().optional(),
  relationship: z.string().optional(),
  application: z.looseObject({ type: z.string().optional(), name: z.string().optional() }).optional(),
  object: remoteObjectSchema,
});
export type RemoteLink = z.infer<typeof remoteLinkSchema>;

/** With `globalId` Jira answers one link instead of a list; both are read as a list. */
const remoteLinksSchema = z
  .union([z.array(remoteLinkSchema), remoteLinkSchema])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export async function listRemoteLinks(
  client: JiraClient,
  issueIdOrKey: string,
  options: { readonly globalId?: string } = {},
): Promise<RemoteLink[]> {
  return client.send({
    operation: 'getRemoteIssueLinks',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/remotelink`,
    query: { globalId: options.globalId },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: remoteLinksSchema,
  });
}

export interface RemoteLinkInput {
  /** Stable id of the linked item; a second upsert with the same id updates instead of duplicating. */
  readonly globalId: string;
  readonly relationship?: string;
  readonly application?: { readonly type?: string; readonly name?: string };
  readonly object: {
    readonly url: string;
    readonly title: string;
    readonly summary?: string;
    readonly icon?: { readonly url16x16?: string; readonly title?: string };
    readonly status?: { readonly resolved?: boolean };
  };
}

const upsertedSchema = z.looseObject({ id: idSchema, self: z.string().optional() });

/** Creates or updates (by `globalId`) a remote link: 201 when created, 200 when updated. */
export function upsertRemoteLink(client: JiraClient, issueIdOrKey: string, input: RemoteLinkInput) {
  return client.send({
    operation: 'createOrUpdateRemoteIssueLink',
    method: 'POST',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/remotelink`,
    json: input,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.link],
    expect: upsertedSchema,
  });
}

export async function deleteRemoteLinkByGlobalId(
  client: JiraClient,
  issueIdOrKey: string,
  globalId: string,
): Promise<void> {
  await client.send({
    operation: 'deleteRemoteIssueLinkByGlobalId',
    method: 'DELETE',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/remotelink`,
    query: { globalId },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.link],
    expect: 'nothing',
  });
}
