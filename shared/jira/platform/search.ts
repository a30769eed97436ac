import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { issueSchema, type JiraIssue } from './issues.ts';

export interface SearchQuery {
  readonly jql: string;
  /** Field ids to return; default `*navigable` (Cloud's `/search/jql` returns none unless asked). */
  readonly fields?: readonly string[];
  /** e.g. `names`; never `renderedFields`, the sync moves wiki markup. */
  readonly expand?: readonly string[];
  readonly properties?: readonly string[];
  /** Issues per page (Jira may return fewer). */
  readonly pageSize?: number;
}

/** Where the next page starts: a token on Cloud, an offset on Data Center. */
export type SearchCursor = { readonly nextPageToken: string } | { readonly startAt: number };

export interface SearchPage {
  readonly issues: readonly JiraIssue[];
  /** Undefined on the last page. */
  readonly next: SearchCursor | undefined;
}

const cloudPageSchema = z.looseObject({
  issues: z.array(issueSchema).default([]),
  nextPageToken: z.string().optional(),
  isLast: z.boolean().optional(),
});

const dataCenterPageSchema = z.looseObject({
  issues: z.array(issueSchema).default([]),
  startAt: z.number().int().optional(),
  maxResults: z.number().int().optional(),
  total: z.number().int().optional(),
});

/**
 * One page of a JQL search. Cloud removed `/search` and pages `/search/jql` with `nextPageToken`;
 * Data Center still has `/search` with `startAt`. POST keeps long JQL out of the URL on both.
 */
export async function searchPage(
  client: JiraClient,
  query: SearchQuery,
  cursor?: SearchCursor,
): Promise<SearchPage> {
  const fields = query.fields ?? ['*navigable'];
  const maxResults = query.pageSize ?? 100;
  if (client.flavor === 'cloud') {
    const token = cursor && 'nextPageToken' in cursor ? cursor.nextPageToken : undefined;
    const page = await client.send({
      operation: 'searchAndReconsileIssuesUsingJqlPost',
      method: 'POST',
      path: '/rest/api/2/search/jql',
      json: {
        jql: query.jql,
        fields,
        maxResults,
        ...(query.expand ? { expand: query.expand.join(',') } : {}),
        ...(query.properties ? { properties: query.properties } : {}),
        ...(token ? { nextPageToken: token } : {}),
      },
      expect: cloudPageSchema,
    });
    const more = page.isLast !== true && page.nextPageToken !== undefined && page.issues.length > 0;
    return {
      issues: page.issues,
      next: more && page.nextPageToken ? { nextPageToken: page.nextPageToken } : undefined,
    };
  }
  const startAt = cursor && 'startAt' in cursor ? cursor.startAt : 0;
  const page = await client.send({
    operation: 'searchForIssuesUsingJqlPost',
    method: 'POST',
    path: '/rest/api/2/search',
    json: {
      jql: query.jql,
      fields,
      startAt,
      maxResults,
      ...(query.expand ? { expand: query.expand } : {}),
      ...(query.properties ? { properties: query.properties } : {}),
    },
    expect: dataCenterPageSchema,
  });
  const next = (page.startAt ?? startAt) + page.issues.length;
  const more = page.issues.length > 0 && page.total !== undefined && next < page.total;
  return { issues: page.issues, next: more ? { startAt: next } : undefined };
}

/** Every issue a JQL query matches, page after page to the end. */
export async function* searchIssues(
  client: JiraClient,
  query: SearchQuery,
): AsyncGenerator<JiraIssue, void, undefined> {
  let cursor: SearchCursor | undefined;
  do {
    const page = await searchPage(client, query, cursor);
    yield* page.issues;
    cursor = page.next;
  } while (cursor);
}
