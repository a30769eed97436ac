import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import { intParam, listParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import { addComment, deleteComment, findComment, updateComment } from '../model/comment-ops.ts';
import { browseIssue } from '../model/ops-context.ts';
import { commentJson } from '../model/render.ts';

const commentInputSchema = z.looseObject({
  body: z.string({ error: 'Comment body can not be empty!' }),
  visibility: z.looseObject({ type: z.enum(['group', 'role']), value: z.string() }).optional(),
  properties: z.array(z.looseObject({ key: z.string(), value: z.unknown() })).optional(),
});

function input(c: RouteContext) {
  const parsed = parseBody(commentInputSchema, c.body);
  return {
    body: parsed.body,
    ...(parsed.visibility
      ? { visibility: { type: parsed.visibility.type, value: parsed.visibility.value } }
      : {}),
    ...(parsed.properties
      ? { properties: parsed.properties.map((p) => ({ key: p.key, value: p.value })) }
      : {}),
  };
}

const withProperties = (c: RouteContext) => ({
  properties: listParam(c.query, 'expand').includes('properties'),
});

export const commentRoutes: Route[] = [
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/comment',
    api: 'platform',
    handler: (c) => {
      const issue = browseIssue(c.ops, c.actor, c.params.issueIdOrKey ?? '');
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 50, 5000);
      const orderBy = c.query.get('orderBy');
      if (orderBy !== null && !['created', '+created', '-created'].includes(orderBy)) {
        throw JiraError.badRequest(`Invalid orderBy '${orderBy}': use created, +created or -created.`);
      }
      const sorted = orderBy === '-created' ? [...issue.comments].reverse() : issue.comments;
      const page = sorted.slice(startAt, startAt + maxResults);
      return json(200, {
        startAt,
        maxResults,
        total: issue.comments.length,
        comments: page.map((cm) => commentJson(c.render, cm, withProperties(c))),
      });
    },
  },
  {
    method: 'POST',
    path: '/issue/{issueIdOrKey}/comment',
    api: 'platform',
    write: true,
    handler: (c) =>
      json(
        201,
        commentJson(
          c.render,
          addComment(c.ops, c.actor, c.params.issueIdOrKey ?? '', input(c)),
          withProperties(c),
        ),
      ),
  },
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/comment/{id}',
    api: 'platform',
    handler: (c) => {
      const { comment } = findComment(c.ops, c.actor, c.params.issueIdOrKey ?? '', c.params.id ?? '');
      return json(200, commentJson(c.render, comment, withProperties(c)));
    },
  },
  {
    method: 'PUT',
    path: '/issue/{issueIdOrKey}/comment/{id}',
    api: 'platform',
    write: true,
    handler: (c) =>
      json(
        200,
        commentJson(
          c.render,
          updateComment(c.ops, c.actor, c.params.issueIdOrKey ?? '', c.params.id ?? '', input(c)),
          withProperties(c),
        ),
      ),
  },
  {
    method: 'DELETE',
    path: '/issue/{issueIdOrKey}/comment/{id}',
    api: 'platform',
    write: true,
    handler: (c) => {
      deleteComment(c.ops, c.actor, c.params.issueIdOrKey ?? '', c.params.id ?? '');
      return noContent();
    },
  },
];
