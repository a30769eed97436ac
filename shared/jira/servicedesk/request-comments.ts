import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { servicedeskPages } from '../paging.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import { userSchema } from '../schemas.ts';

export const requestCommentSchema = z.looseObject({
  id: z.string(),
  body: z.string().optional(),
  /** False for internal (agent-only) comments. */
  public: z.boolean(),
  author: userSchema.optional(),
  created: z.looseObject({ iso8601: z.string().optional(), epochMillis: z.number().optional() }).optional(),
});
export type RequestComment = z.infer<typeof requestCommentSchema>;

/**
 * Adds a comment the JSM way, the only way to choose its visibility: `public: false` makes it internal
 * (agents only); the platform comment API always creates public ones.
 */
export function addRequestComment(
  client: JiraClient,
  issueIdOrKey: string,
  input: { readonly body: string; readonly public: boolean },
): Promise<RequestComment> {
  return client.send({
    operation: 'createRequestComment',
    method: 'POST',
    path: jiraPath`/rest/servicedeskapi/request/${issueIdOrKey}/comment`,
    json: { body: input.body, public: input.public },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.comment],
    expect: requestCommentSchema,
  });
}

/** A request's comments; `public` / `internal` narrow to one kind (both default to true). */
export function listRequestComments(
  client: JiraClient,
  issueIdOrKey: string,
  options: { readonly public?: boolean; readonly internal?: boolean } = {},
): AsyncGenerator<RequestComment, void, undefined> {
  return servicedeskPages(
    client,
    {
      operation: 'getRequestComments',
      method: 'GET',
      path: jiraPath`/rest/servicedeskapi/request/${issueIdOrKey}/comment`,
      query: { public: options.public, internal: options.internal },
      issue: issueIdOrKey,
      permissions: [PERMISSIONS.browse],
    },
    requestCommentSchema,
  );
}
