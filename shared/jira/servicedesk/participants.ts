import type { JiraClient } from '../client.ts';
import { collect, servicedeskPages } from '../paging.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import { type JiraUser, servicedeskPageSchema, userSchema } from '../schemas.ts';
import { peopleBody } from './people.ts';

// Adding or removing answers the participants as they are now, as one page.
const participantsSchema = servicedeskPageSchema(userSchema);

export function listParticipants(client: JiraClient, issueIdOrKey: string): Promise<JiraUser[]> {
  return collect(
    servicedeskPages(
      client,
      {
        operation: 'getRequestParticipants',
        method: 'GET',
        path: jiraPath`/rest/servicedeskapi/request/${issueIdOrKey}/participant`,
        issue: issueIdOrKey,
        permissions: [PERMISSIONS.browse],
      },
      userSchema,
    ),
  );
}

/** Adds participants (accountIds on Cloud, usernames on Data Center); answers the participants now. */
export function addParticipants(client: JiraClient, issueIdOrKey: string, ids: readonly string[]) {
  return changeParticipants(client, issueIdOrKey, ids, 'POST', 'addRequestParticipants');
}

export function removeParticipants(client: JiraClient, issueIdOrKey: string, ids: readonly string[]) {
  return changeParticipants(client, issueIdOrKey, ids, 'DELETE', 'removeRequestParticipants');
}

async function changeParticipants(
  client: JiraClient,
  issueIdOrKey: string,
  ids: readonly string[],
  method: 'POST' | 'DELETE',
  operation: string,
): Promise<JiraUser[]> {
  const page = await client.send({
    operation,
    method,
    path: jiraPath`/rest/servicedeskapi/request/${issueIdOrKey}/participant`,
    json: peopleBody(client, ids),
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.edit],
    expect: participantsSchema,
  });
  return page.values;
}
