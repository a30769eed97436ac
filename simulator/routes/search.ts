import { createHash } from 'node:crypto';
import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json } from '../http/reply.ts';
import { intParam, listParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import { compileJql } from '../jql.ts';
import { availableTransitions } from '../model/issue-ops.ts';
import { searchable } from '../model/ops-context.ts';
import { type FieldSelection, fieldNames, issueJson, parseFieldSelection } from '../model/render.ts';
import type { IndexedIssue } from '../model/types.ts';
import { transitionJson } from './issues.ts';

/**
 * JQL search. Jira Cloud serves `/search/jql` (token paging, `id` only unless fields are asked for, bounded
 * queries only) and answers 410 on the removed `/search`; Data Center serves `/search` (startAt paging,
 * navigable fields by default). Results come from the search index, which can lag (a fault).
 */

interface SearchRequest {
  readonly jql: string;
  readonly fields: readonly string[];
  readonly expand: readonly string[];
  readonly properties: readonly string[];
}

function search(c: RouteContext, jql: string): { docs: IndexedIssue[]; bounded: boolean } {
  const { state, clock } = c.site;
  const now = clock.now();
  const { match, order, bounded } = compileJql(jql, { state, now, currentUser: c.actor });
  const docs: IndexedIssue[] = [];
  for (const issue of state.issues.values()) {
    const doc = searchable(issue, now);
    if (doc && state.visibleIssue(c.actor, issue) && match(doc)) docs.push(doc);
  }
  docs.sort(order);
  return { docs, bounded };
}

function render(
  c: RouteContext,
  docs: readonly IndexedIssue[],
  request: SearchRequest,
  fallback: FieldSelection,
): Record<string, unknown>[] {
  const fields = parseFieldSelection(request.fields, fallback);
  const expand = new Set(request.expand.flatMap((e) => e.split(',')).map((e) => e.trim()));
  return docs.flatMap((d) => {
    const issue = c.site.state.issues.get(d.id);
    if (!issue) return [];
    return [
      issueJson(c.render, issue, {
        fields,
        expand,
        properties: request.properties,
        transitions: () =>
          availableTransitions(c.ops, c.actor, issue).map((t) => transitionJson(c.render, t)),
      }),
    ];
  });
}

const jqlHash = (jql: string) => createHash('sha256').update(jql).digest('hex').slice(0, 12);

function encodeToken(offset: number, jql: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: jqlHash(jql) })).toString('base64url');
}

function decodeToken(token: string, jql: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      q?: unknown;
    };
    if (
      typeof parsed.o === 'number' &&
      Number.isInteger(parsed.o) &&
      parsed.o >= 0 &&
      parsed.q === jqlHash(jql)
    )
      return parsed.o;
  } catch {
    // Falls through to the error below.
  }
  throw JiraError.badRequest('The nextPageToken is invalid or does not belong to this query.');
}

function cloudSearch(
  c: RouteContext,
  request: SearchRequest & { nextPageToken?: string; maxResults?: number },
): Record<string, unknown> {
  const { docs, bounded } = search(c, request.jql);
  if (!bounded) {
    throw JiraError.badRequest(
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    );
  }
  const idsOnly = request.fields.length === 0 || (request.fields.length === 1 && request.fields[0] === 'id');
  const max = Math.min(request.maxResults ?? 50, idsOnly ? 5000 : 100);
  const offset = request.nextPageToken ? decodeToken(request.nextPageToken, request.jql) : 0;
  const page = docs.slice(offset, offset + max);
  const more = offset + page.length < docs.length;
  const out: Record<string, unknown> = {
    issues: render(c, page, request, new Set(['id'])),
    isLast: !more,
  };
  if (more) out.nextPageToken = encodeToken(offset + page.length, request.jql);
  if (request.expand.some((e) => e.split(',').includes('names'))) out.names = fieldNames(c.site.state);
  return out;
}

function dcSearch(
  c: RouteContext,
  request: SearchRequest & { startAt: number; maxResults: number },
): Record<string, unknown> {
  const { docs } = search(c, request.jql);
  const max = Math.min(request.maxResults, 1000);
  const page = docs.slice(request.startAt, request.startAt + max);
  const out: Record<string, unknown> = {
    expand: 'schema,names',
    startAt: request.startAt,
    maxResults: max,
    total: docs.length,
    issues: render(c, page, request, 'navigable'),
  };
  if (request.expand.some((e) => e.split(',').includes('names'))) out.names = fieldNames(c.site.state);
  return out;
}

const cloudBodySchema = z.looseObject({
  jql: z.string().default(''),
  nextPageToken: z.string().optional(),
  maxResults: z.number().int().min(0).optional(),
  fields: z.array(z.string()).default([]),
  expand: z.string().default(''),
  properties: z.array(z.string()).default([]),
});

const dcBodySchema = z.looseObject({
  jql: z.string().default(''),
  startAt: z.number().int().min(0).default(0),
  maxResults: z.number().int().min(0).default(50),
  fields: z.array(z.string()).default([]),
  expand: z.array(z.string()).default([]),
  properties: z.array(z.string()).default([]),
});

export const searchRoutes: Route[] = [
  {
    method: 'GET',
    path: '/search/jql',
    api: 'platform',
    flavours: ['cloud'],
    handler: (c) => {
      const token = c.query.get('nextPageToken');
      const maxRaw = c.query.get('maxResults');
      return json(
        200,
        cloudSearch(c, {
          jql: c.query.get('jql') ?? '',
          ...(token ? { nextPageToken: token } : {}),
          ...(maxRaw === null ? {} : { maxResults: intParam(c.query, 'maxResults', 50) }),
          fields: listParam(c.query, 'fields'),
          expand: listParam(c.query, 'expand'),
          properties: listParam(c.query, 'properties'),
        }),
      );
    },
  },
  {
    method: 'POST',
    path: '/search/jql',
    api: 'platform',
    flavours: ['cloud'],
    handler: (c) => {
      const input = parseBody(cloudBodySchema, c.body);
      return json(
        200,
        cloudSearch(c, {
          jql: input.jql,
          ...(input.nextPageToken ? { nextPageToken: input.nextPageToken } : {}),
          ...(input.maxResults === undefined ? {} : { maxResults: input.maxResults }),
          fields: input.fields,
          expand: input.expand === '' ? [] : [input.expand],
          properties: input.properties,
        }),
      );
    },
  },
  {
    method: 'GET',
    path: '/search',
    api: 'platform',
    flavours: ['datacenter'],
    handler: (c) =>
      json(
        200,
        dcSearch(c, {
          jql: c.query.get('jql') ?? '',
          startAt: intParam(c.query, 'startAt', 0),
          maxResults: intParam(c.query, 'maxResults', 50),
          fields: listParam(c.query, 'fields'),
          expand: listParam(c.query, 'expand'),
          properties: listParam(c.query, 'properties'),
        }),
      ),
  },
  {
    method: 'POST',
    path: '/search',
    api: 'platform',
    flavours: ['datacenter'],
    handler: (c) => {
      const input = parseBody(dcBodySchema, c.body);
      return json(200, dcSearch(c, { ...input }));
    },
  },
];
