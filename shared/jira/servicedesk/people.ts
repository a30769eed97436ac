import type { JiraClient } from '../client.ts';

/** Cloud names people by `accountIds`, Data Center by `usernames`; the same ids go in either. */
export function peopleBody(
  client: JiraClient,
  ids: readonly string[],
): { accountIds: readonly string[] } | { usernames: readonly string[] } {
  return client.flavor === 'cloud' ? { accountIds: ids } : { usernames: ids };
}
