import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';

const keysSchema = z.looseObject({ keys: z.array(z.looseObject({ key: z.string() })).default([]) });
const propertySchema = z.looseObject({ key: z.string(), value: z.unknown() });

export async function listIssuePropertyKeys(client: JiraClient, issueIdOrKey: string): Promise<string[]> {
  const answer = await client.send({
    operation: 'getIssuePropertyKeys',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/properties`,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: keysSchema,
  });
  return answer.keys.map((k) => k.key);
}

/** A property's value; throws `JiraNotFoundError` when the issue or the property does not exist. */
export async function getIssueProperty(
  client: JiraClient,
  issueIdOrKey: string,
  key: string,
): Promise<unknown> {
  const answer = await client.send({
    operation: 'getIssueProperty',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/properties/${key}`,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: propertySchema,
  });
  return answer.value;
}

/** Sets a property to any JSON value (Jira limits a value to 32 KB). */
export async function setIssueProperty(
  client: JiraClient,
  issueIdOrKey: string,
  key: string,
  value: unknown,
): Promise<void> {
  await client.send({
    operation: 'setIssueProperty',
    method: 'PUT',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/properties/${key}`,
    json: value,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.edit],
    expect: 'nothing',
  });
}

export async function deleteIssueProperty(
  client: JiraClient,
  issueIdOrKey: string,
  key: string,
): Promise<void> {
  await client.send({
    operation: 'deleteIssueProperty',
    method: 'DELETE',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/properties/${key}`,
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.edit],
    expect: 'nothing',
  });
}
