import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import { intParam, listParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import {
  availableTransitions,
  createIssue,
  deleteIssue,
  editIssue,
  transitionIssue,
} from '../model/issue-ops.ts';
import type { OpsContext } from '../model/ops-context.ts';
import { browseIssue } from '../model/ops-context.ts';
import {
  historyJson,
  issueJson,
  parseFieldSelection,
  type RenderContext,
  statusJson,
} from '../model/render.ts';
import type { Issue, Transition, User } from '../model/types.ts';

/** Issues: create, read, edit, delete, changelog and workflow transitions. */

const property = z.looseObject({ key: z.string(), value: z.unknown() });
export const issueInputSchema = z.looseObject({
  fields: z.record(z.string(), z.unknown()).optional(),
  update: z.record(z.string(), z.unknown()).optional(),
  properties: z.array(property).optional(),
  transition: z.looseObject({ id: z.union([z.string(), z.number()]).optional() }).optional(),
  historyMetadata: z.unknown().optional(),
});

export function transitionJson(render: RenderContext, t: Transition): Record<string, unknown> {
  const to = render.state.statuses.get(t.to);
  return {
    id: t.id,
    name: t.name,
    to: to ? statusJson(render, to) : undefined,
    hasScreen: false,
    isGlobal: t.from.length === 0,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    isLooped: false,
  };
}

export function renderIssue(
  c: RouteContext,
  issue: Issue,
  fallbackFields: 'all' | 'navigable' | Set<string> = 'all',
): Record<string, unknown> {
  const fields = parseFieldSelection(c.query.getAll('fields'), fallbackFields);
  const expand = new Set(listParam(c.query, 'expand'));
  return issueJson(c.render, issue, {
    fields,
    expand,
    properties: listParam(c.query, 'properties'),
    transitions: () => availableTransitions(c.ops, c.actor, issue).map((t) => transitionJson(c.render, t)),
  });
}

function issueParam(c: RouteContext): string {
  return c.params.issueIdOrKey ?? '';
}

export function createFromInput(
  ops: OpsContext,
  actor: User,
  input: z.output<typeof issueInputSchema>,
): Issue {
  const issue = createIssue(ops, actor, {
    ...(input.fields ? { fields: input.fields } : {}),
    ...(input.update ? { update: input.update } : {}),
    ...(input.properties
      ? { properties: input.properties.map((p) => ({ key: p.key, value: p.value })) }
      : {}),
  });
  if (input.transition?.id !== undefined)
    transitionIssue(ops, actor, issue.id, { transition: { id: input.transition.id } });
  return issue;
}

export const issueRoutes: Route[] = [
  {
    method: 'POST',
    path: '/issue',
    api: 'platform',
    handler: (c) => {
      const input = parseBody(issueInputSchema, c.body);
      const issue = createFromInput(c.ops, c.actor, input);
      return json(201, {
        id: issue.id,
        key: issue.key,
        self: `${c.render.base}/rest/api/2/issue/${issue.id}`,
      });
    },
  },
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}',
    api: 'platform',
    handler: (c) => json(200, renderIssue(c, browseIssue(c.ops, c.actor, issueParam(c)))),
  },
  {
    method: 'PUT',
    path: '/issue/{issueIdOrKey}',
    api: 'platform',
    write: true,
    handler: (c) => {
      const input = parseBody(issueInputSchema, c.body);
      const issue = editIssue(c.ops, c.actor, issueParam(c), {
        ...(input.fields ? { fields: input.fields } : {}),
        ...(input.update ? { update: input.update } : {}),
        ...(input.properties
          ? { properties: input.properties.map((p) => ({ key: p.key, value: p.value })) }
          : {}),
      });
      if (c.query.get('returnIssue') === 'true') return json(200, renderIssue(c, issue));
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/issue/{issueIdOrKey}',
    api: 'platform',
    write: true,
    handler: (c) => {
      deleteIssue(c.ops, c.actor, issueParam(c));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/changelog',
    api: 'platform',
    handler: (c) => {
      const issue = browseIssue(c.ops, c.actor, issueParam(c));
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 100, 100);
      const page = issue.history.slice(startAt, startAt + maxResults);
      return json(200, {
        self: `${c.render.base}/rest/api/2/issue/${issue.key}/changelog?maxResults=${maxResults}&startAt=${startAt}`,
        maxResults,
        startAt,
        total: issue.history.length,
        isLast: startAt + page.length >= issue.history.length,
        values: page.map((h) => historyJson(c.render, h)),
      });
    },
  },
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/transitions',
    api: 'platform',
    handler: (c) => {
      const issue = browseIssue(c.ops, c.actor, issueParam(c));
      const only = c.query.get('transitionId');
      const transitions = availableTransitions(c.ops, c.actor, issue).filter(
        (t) => only === null || t.id === only,
      );
      return json(200, {
        expand: 'transitions',
        transitions: transitions.map((t) => transitionJson(c.render, t)),
      });
    },
  },
  {
    method: 'POST',
    path: '/issue/{issueIdOrKey}/transitions',
    api: 'platform',
    write: true,
    handler: (c) => {
      const input = parseBody(issueInputSchema, c.body);
      if (input.transition?.id === undefined) throw JiraError.badRequest("Missing 'transition' identifier.");
      transitionIssue(c.ops, c.actor, issueParam(c), {
        transition: { id: input.transition.id },
        ...(input.fields ? { fields: input.fields } : {}),
        ...(input.update ? { update: input.update } : {}),
      });
      return noContent();
    },
  },
];
