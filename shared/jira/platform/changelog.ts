import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { collect, platformPages } from '../paging.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import { platformPaging, userSchema } from '../schemas.ts';

const changeItemSchema = z.looseObject({
  field: z.string(),
  fieldtype: z.string().optional(),
  fieldId: z.string().optional(),
  from: z.string().nullable().optional(),
  fromString: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
  toString: z.string().nullable().optional(),
});

export const changelogEntrySchema = z.looseObject({
  id: z.string(),
  author: userSchema.optional(),
  created: z.string(),
  items: z.array(changeItemSchema).default([]),
});
export type ChangelogEntry = z.infer<typeof changelogEntrySchema>;

const changelogPageSchema = z.looseObject({
  ...platformPaging,
  values: z.array(changelogEntrySchema).default([]),
});
const issueWithChangelogSchema = z.looseObject({
  changelog: z.looseObject({ histories: z.array(changelogEntrySchema).default([]) }).optional(),
});

/**
 * The whole changelog, oldest first. Cloud pages through `/issue/{id}/changelog`; Data Center, where that
 * endpoint is missing from older supported versions, returns the full history with `expand=changelog`.
 */
export function getChangelog(
  client: JiraClient,
  issueIdOrKey: string,
  pageSize = 100,
): Promise<ChangelogEntry[]> {
  if (client.flavor === 'datacenter') return dataCenterChangelog(client, issueIdOrKey);
  return collect(
    platformPages(async (startAt) => {
      const page = await client.send({
        operation: 'getChangeLogs',
        method: 'GET',
        path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/changelog`,
        query: { startAt, maxResults: pageSize },
        issue: issueIdOrKey,
        permissions: [PERMISSIONS.browse],
        expect: changelogPageSchema,
      });
      return { ...page, items: page.values };
    }),
  );
}

async function dataCenterChangelog(client: JiraClient, issueIdOrKey: string): Promise<ChangelogEntry[]> {
  const issue = await client.send({
    operation: 'getIssue',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}`,
    // One cheap field: the answer is about the changelog.
    query: { fields: ['summary'], expand: 'changelog' },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: issueWithChangelogSchema,
  });
  return issue.changelog?.histories ?? [];
}
