import type { JiraClient } from '../client.ts';
import { collect, servicedeskPages } from '../paging.ts';
import { jiraPath } from '../request.ts';
import { type JiraUser, userSchema } from '../schemas.ts';
import { peopleBody } from './people.ts';

/** Customers of a service desk, optionally filtered by a text. The endpoint is marked experimental. */
export function listCustomers(
  client: JiraClient,
  serviceDeskId: string,
  query?: string,
): Promise<JiraUser[]> {
  return collect(
    servicedeskPages(
      client,
      {
        operation: 'getCustomers',
        method: 'GET',
        path: jiraPath`/rest/servicedeskapi/servicedesk/${serviceDeskId}/customer`,
        query: { query },
        headers: { 'x-experimentalapi': 'opt-in' },
      },
      userSchema,
    ),
  );
}

/** Makes existing users customers of a service desk (accountIds on Cloud, usernames on Data Center). */
export async function addCustomers(
  client: JiraClient,
  serviceDeskId: string,
  ids: readonly string[],
): Promise<void> {
  await client.send({
    operation: 'addCustomers',
    method: 'POST',
    path: jiraPath`/rest/servicedeskapi/servicedesk/${serviceDeskId}/customer`,
    json: peopleBody(client, ids),
    expect: 'nothing',
  });
}

/** Creates a portal-only customer account; answers the new user (its accountId on Cloud). */
export function createCustomer(
  client: JiraClient,
  input: { readonly email: string; readonly displayName: string },
): Promise<JiraUser> {
  return client.send({
    operation: 'createCustomer',
    method: 'POST',
    path: '/rest/servicedeskapi/customer',
    json: { email: input.email, displayName: input.displayName },
    expect: userSchema,
  });
}
