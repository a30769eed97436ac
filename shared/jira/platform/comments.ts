import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { platformPages } from '../paging.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import { type EntityProperty, entityPropertySchema, platformPaging, userSchema } from '../schemas.ts';

const visibilitySchema = z.looseObject({
  type: z.string().optional(),
  value: z.string().optional(),
  identifier: z.string().optional(),
});

export const commentSchema = z.looseObject({
  id: z.string(),
  /** Wiki markup in REST v2. */
  body: z.unknown(),
  author: userSchema.optional(),
  updateAuthor: userSchema.optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
  visibility: visibilitySchema.optional(),
  /** Service Management: false for internal (agent-only) comments. */
  jsdPublic: z.boolean().optional(),
  properties: z.array(entityPropertySchema).optional(),
});
export type JiraComment = z.infer<typeof commentSchema>;

const commentPageSchema = z.looseObject({ ...platformPaging, comments: z.array(commentSchema).default([]) });

/** Every comment of an issue, oldest first, with its properties (JSM's `sd.public.comment` among them). */
export function listComments(
  client: JiraClient,
  issueIdOrKey: string,
  pageSize = 100,
): AsyncGenerator<JiraComment, void, undefined> {
  return platformPages(async (startAt) => {
    const page = await client.send({
      operation: 'getComments',
      method: 'GET',
      path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/comment`,
      query: { startAt, maxResults: pageSize, orderBy: 'created', expand: 'properties' },
      issue: issueIdOrKey,
      permissions: [PERMISSIONS.browse],
      expect: commentPageSchema,
    });
    return { ...page, items: page.comments };
  });
}

export interface CommentInput {
  /** Wiki markup. */
  readonly body: string;
  /** Restricts the comment to a role or group, e.g. `{type: 'role', value: 'Developers'}`. */
  readonly visibility?: { readonly type: 'role' | 'group'; readonly value: string };
  readonly properties?: readonly EntityProperty[];
}

export function addComment(
  client: JiraClient,
  issueIdOrKey: string,
  input: CommentInput,
): Promise<JiraComment> {
  return client.send({
    operation: 'addComment',
    method: 'POST',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/comment`,
    json: input,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.comment],
    expect: commentSchema,
  });
}

/** Edits a comment; jira-sync edits the comments it wrote, hence EDIT_OWN_COMMENTS in a 403 diagnosis. */
export function updateComment(
  client: JiraClient,
  issueIdOrKey: string,
  commentId: string,
  input: CommentInput,
  options: { readonly notifyUsers?: boolean } = {},
): Promise<JiraComment> {
  return client.send({
    operation: 'updateComment',
    method: 'PUT',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/comment/${commentId}`,
    query: { notifyUsers: options.notifyUsers },
    json: input,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, 'EDIT_OWN_COMMENTS'],
    expect: commentSchema,
  });
}

export async function deleteComment(
  client: JiraClient,
  issueIdOrKey: string,
  commentId: string,
): Promise<void> {
  await client.send({
    operation: 'deleteComment',
    method: 'DELETE',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/comment/${commentId}`,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, 'DELETE_OWN_COMMENTS'],
    expect: 'nothing',
  });
}
