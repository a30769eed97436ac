import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import type { EntityProperty } from '../schemas.ts';

/** An issue in the REST v2 representation: wiki-markup text, field values as Jira renders them in JSON. */
export const issueSchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  self: z.string().optional(),
  fields: z.record(z.string(), z.unknown()).default({}),
  /** Field id → display name, when asked for with `names`. */
  names: z.record(z.string(), z.string()).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type JiraIssue = z.infer<typeof issueSchema>;

export interface GetIssueOptions {
  /** Field ids, or `*all` / `*navigable`; default `*all`. */
  readonly fields?: readonly string[];
  /** Also return field display names (`expand=names`). */
  readonly names?: boolean;
  /** Issue property keys to return (`*all` for every one). */
  readonly properties?: readonly string[];
}

/** Reads an issue. Rendered HTML (`renderedFields`) is never asked for: the sync moves wiki markup. */
export function getIssue(client: JiraClient, issueIdOrKey: string, options: GetIssueOptions = {}) {
  return client.send({
    operation: 'getIssue',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}`,
    query: {
      fields: options.fields ?? ['*all'],
      expand: options.names ? 'names' : undefined,
      properties: options.properties,
    },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: issueSchema,
  });
}

export interface IssueInput {
  /** Field id → value, e.g. `{summary: 'x', project: {key: 'ENG'}, issuetype: {id: '10001'}}`. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Field id → operations, e.g. `{labels: [{add: 'synced'}]}`. */
  readonly update?: Readonly<Record<string, readonly unknown[]>>;
  /** Issue properties set in the same call (jira-sync's own markers travel this way). */
  readonly properties?: readonly EntityProperty[];
}

const createdIssueSchema = z.looseObject({ id: z.string(), key: z.string(), self: z.string().optional() });
export type CreatedIssue = z.infer<typeof createdIssueSchema>;

function projectOf(fields: IssueInput['fields']): string | undefined {
  const project = fields?.project;
  if (project && typeof project === 'object' && 'key' in project && typeof project.key === 'string') {
    return project.key;
  }
  return undefined;
}

export function createIssue(client: JiraClient, input: IssueInput): Promise<CreatedIssue> {
  const project = projectOf(input.fields);
  return client.send({
    operation: 'createIssue',
    method: 'POST',
    path: '/rest/api/2/issue',
    json: { fields: input.fields ?? {}, update: input.update, properties: input.properties },
    ...(project === undefined ? {} : { project }),
    permissions: [PERMISSIONS.browse, PERMISSIONS.create],
    expect: createdIssueSchema,
  });
}

export interface EditIssueOptions {
  /** `false` suppresses notifications (needs project admin on Cloud); default: Jira's default (notify). */
  readonly notifyUsers?: boolean;
}

export async function editIssue(
  client: JiraClient,
  issueIdOrKey: string,
  input: IssueInput,
  options: EditIssueOptions = {},
): Promise<void> {
  await client.send({
    operation: 'editIssue',
    method: 'PUT',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}`,
    query: { notifyUsers: options.notifyUsers },
    json: { fields: input.fields, update: input.update, properties: input.properties },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.edit],
    expect: 'nothing',
  });
}
