import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { type JiraUser, userSchema } from '../schemas.ts';

/** A user by Cloud `accountId` or Data Center `username`. */
export type UserRef = { readonly accountId: string } | { readonly username: string };

export function getUser(client: JiraClient, ref: UserRef): Promise<JiraUser> {
  return client.send({
    operation: 'getUser',
    method: 'GET',
    path: '/rest/api/2/user',
    query: 'accountId' in ref ? { accountId: ref.accountId } : { username: ref.username },
    expect: userSchema,
  });
}

/**
 * Users matching a text (name or e-mail). Cloud takes `query`; Data Center `username`, which matches
 * username, display name and e-mail there.
 */
export function findUsers(client: JiraClient, text: string, maxResults = 50): Promise<JiraUser[]> {
  return client.send({
    operation: 'findUsers',
    method: 'GET',
    path: '/rest/api/2/user/search',
    query: client.flavor === 'cloud' ? { query: text, maxResults } : { username: text, maxResults },
    expect: z.array(userSchema),
  });
}

/**
 * The user with this e-mail address. Cloud hides addresses by the user's privacy setting, so when no
 * visible address matches, a single search hit is taken as the match (Cloud searched by that address).
 */
export async function findUserByEmail(client: JiraClient, email: string): Promise<JiraUser | undefined> {
  const users = await findUsers(client, email, 10);
  const wanted = email.trim().toLowerCase();
  const exact = users.find((u) => u.emailAddress?.toLowerCase() === wanted);
  if (exact) return exact;
  const hidden = users.filter((u) => u.emailAddress === undefined || u.emailAddress === '');
  return client.flavor === 'cloud' && users.length === 1 && hidden.length === 1 ? hidden[0] : undefined;
}
