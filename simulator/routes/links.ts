import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import { parseBody, type Route, type RouteContext } from '../http/route.ts';
import {
  createIssueLink,
  deleteIssueLink,
  deleteRemoteLinks,
  findIssueLink,
  updateRemoteLink,
  upsertRemoteLink,
} from '../model/link-ops.ts';
import { browseIssue } from '../model/ops-context.ts';
import { issueLinkJson } from '../model/render.ts';
import type { RemoteLink } from '../model/types.ts';

const issueRef = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  key: z.string().optional(),
});
const linkInputSchema = z.looseObject({
  type: z.looseObject({
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    name: z.string().optional(),
  }),
  inwardIssue: issueRef,
  outwardIssue: issueRef,
  comment: z.looseObject({ body: z.unknown().optional() }).optional(),
});

const remoteLinkInputSchema = z.looseObject({
  globalId: z.string().max(255).optional(),
  relationship: z.string().optional(),
  application: z.record(z.string(), z.unknown()).optional(),
  object: z.looseObject({ url: z.string().min(1), title: z.string().min(1) }),
});

function remoteLinkJson(c: RouteContext, issueKeyOrId: string, link: RemoteLink): Record<string, unknown> {
  return {
    id: Number(link.id),
    self: `${c.render.base}/rest/api/2/issue/${issueKeyOrId}/remotelink/${link.id}`,
    ...(link.globalId === undefined ? {} : { globalId: link.globalId }),
    ...(link.application === undefined ? {} : { application: link.application }),
    ...(link.relationship === undefined ? {} : { relationship: link.relationship }),
    object: link.object,
  };
}

function remoteInput(c: RouteContext) {
  const input = parseBody(remoteLinkInputSchema, c.body);
  return {
    ...(input.globalId === undefined ? {} : { globalId: input.globalId }),
    ...(input.relationship === undefined ? {} : { relationship: input.relationship }),
    ...(input.application === undefined ? {} : { application: input.application }),
    object: { ...input.object },
  };
}

export const linkRoutes: Route[] = [
  {
    method: 'POST',
    path: '/issueLink',
    api: 'platform',
    handler: (c) => {
      const input = parseBody(linkInputSchema, c.body);
      const link = createIssueLink(c.ops, c.actor, {
        type: {
          ...(input.type.id ? { id: input.type.id } : {}),
          ...(input.type.name ? { name: input.type.name } : {}),
        },
        inwardIssue: {
          ...(input.inwardIssue.id ? { id: input.inwardIssue.id } : {}),
          ...(input.inwardIssue.key ? { key: input.inwardIssue.key } : {}),
        },
        outwardIssue: {
          ...(input.outwardIssue.id ? { id: input.outwardIssue.id } : {}),
          ...(input.outwardIssue.key ? { key: input.outwardIssue.key } : {}),
        },
        ...(input.comment ? { comment: { body: input.comment.body } } : {}),
      });
      return { status: 201, headers: { Location: `${c.render.base}/rest/api/2/issueLink/${link.id}` } };
    },
  },
  {
    method: 'GET',
    path: '/issueLink/{linkId}',
    api: 'platform',
    handler: (c) => {
      const rendered = issueLinkJson(c.render, findIssueLink(c.ops, c.actor, c.params.linkId ?? ''));
      if (!rendered) throw JiraError.notFound('The issue link does not exist.');
      return json(200, rendered);
    },
  },
  {
    method: 'DELETE',
    path: '/issueLink/{linkId}',
    api: 'platform',
    handler: (c) => {
      deleteIssueLink(c.ops, c.actor, c.params.linkId ?? '');
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/remotelink',
    api: 'platform',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = browseIssue(c.ops, c.actor, ref);
      const globalId = c.query.get('globalId');
      if (globalId !== null) {
        // With a globalId Jira answers the one link, not a list.
        const link = issue.remoteLinks.find((l) => l.globalId === globalId);
        if (!link) throw JiraError.notFound(`No remote link with globalId '${globalId}'.`);
        return json(200, remoteLinkJson(c, ref, link));
      }
      return json(
        200,
        issue.remoteLinks.map((l) => remoteLinkJson(c, ref, l)),
      );
    },
  },
  {
    method: 'POST',
    path: '/issue/{issueIdOrKey}/remotelink',
    api: 'platform',
    write: true,
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const { link, created } = upsertRemoteLink(c.ops, c.actor, ref, remoteInput(c));
      return json(created ? 201 : 200, {
        id: Number(link.id),
        self: `${c.render.base}/rest/api/2/issue/${ref}/remotelink/${link.id}`,
      });
    },
  },
  {
    method: 'DELETE',
    path: '/issue/{issueIdOrKey}/remotelink',
    api: 'platform',
    write: true,
    handler: (c) => {
      const globalId = c.query.get('globalId');
      if (globalId === null) throw JiraError.badRequest('The globalId parameter is required.');
      deleteRemoteLinks(c.ops, c.actor, c.params.issueIdOrKey ?? '', { globalId });
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/remotelink/{linkId}',
    api: 'platform',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const link = browseIssue(c.ops, c.actor, ref).remoteLinks.find((l) => l.id === c.params.linkId);
      if (!link) throw JiraError.notFound(`No remote link with id '${c.params.linkId ?? ''}'.`);
      return json(200, remoteLinkJson(c, ref, link));
    },
  },
  {
    method: 'PUT',
    path: '/issue/{issueIdOrKey}/remotelink/{linkId}',
    api: 'platform',
    write: true,
    handler: (c) => {
      updateRemoteLink(c.ops, c.actor, c.params.issueIdOrKey ?? '', c.params.linkId ?? '', remoteInput(c));
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/issue/{issueIdOrKey}/remotelink/{linkId}',
    api: 'platform',
    write: true,
    handler: (c) => {
      deleteRemoteLinks(c.ops, c.actor, c.params.issueIdOrKey ?? '', { id: c.params.linkId ?? '' });
      return noContent();
    },
  },
];
