import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';

const linkTypeSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  inward: z.string().optional(),
  outward: z.string().optional(),
});
export type IssueLinkType = z.infer<typeof linkTypeSchema>;

const linkedIssueSchema = z.looseObject({ id: z.string(), key: z.string().optional() });

export const issueLinkSchema = z.looseObject({
  id: z.string(),
  type: linkTypeSchema,
  inwardIssue: linkedIssueSchema.optional(),
  outwardIssue: linkedIssueSchema.optional(),
});
export type IssueLink = z.infer<typeof issueLinkSchema>;

const issueLinksFieldSchema = z.looseObject({
  fields: z.looseObject({ issuelinks: z.array(issueLinkSchema).default([]) }).default({ issuelinks: [] }),
});

/** An issue's links (the `issuelinks` field); each names the other issue as inward or outward. */
export async function listIssueLinks(client: JiraClient, issueIdOrKey: string): Promise<IssueLink[]> {
  const issue = await client.send({
    operation: 'getIssue',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}`,
    query: { fields: ['issuelinks'] },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: issueLinksFieldSchema,
  });
  return issue.fields.issuelinks;
}

export function getIssueLink(client: JiraClient, linkId: string): Promise<IssueLink> {
  return client.send({
    operation: 'getIssueLink',
    method: 'GET',
    path: jiraPath`/rest/api/2/issueLink/${linkId}`,
    expect: issueLinkSchema,
  });
}

export interface LinkInput {
  /** Link type name, e.g. `Blocks` or `Relates`. */
  readonly type: string;
  /** The issue on the inward side ("is blocked by"). */
  readonly inwardIssue: string;
  /** The issue on the outward side ("blocks"). */
  readonly outwardIssue: string;
}

const ref = (idOrKey: string) => (/^\d+$/.test(idOrKey) ? { id: idOrKey } : { key: idOrKey });

/** Links two issues. Jira answers 201 without the new link's id; `listIssueLinks` shows it. */
export async function linkIssues(client: JiraClient, input: LinkInput): Promise<void> {
  await client.send({
    operation: 'linkIssues',
    method: 'POST',
    path: '/rest/api/2/issueLink',
    json: {
      type: { name: input.type },
      inwardIssue: ref(input.inwardIssue),
      outwardIssue: ref(input.outwardIssue),
    },
    issue: input.outwardIssue,
    permissions: [PERMISSIONS.browse, PERMISSIONS.link],
    expect: 'nothing',
  });
}

export async function deleteIssueLink(client: JiraClient, linkId: string): Promise<void> {
  await client.send({
    operation: 'deleteIssueLink',
    method: 'DELETE',
    path: jiraPath`/rest/api/2/issueLink/${linkId}`,
    permissions: [PERMISSIONS.browse, PERMISSIONS.link],
    expect: 'nothing',
  });
}

const linkTypesSchema = z.looseObject({ issueLinkTypes: z.array(linkTypeSchema).default([]) });

export async function getIssueLinkTypes(client: JiraClient): Promise<IssueLinkType[]> {
  const answer = await client.send({
    operation: 'getIssueLinkTypes',
    method: 'GET',
    path: '/rest/api/2/issueLinkType',
    expect: linkTypesSchema,
  });
  return answer.issueLinkTypes;
}
