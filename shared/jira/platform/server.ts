import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { userSchema } from '../schemas.ts';

const serverInfoSchema = z.looseObject({
  baseUrl: z.string().optional(),
  version: z.string().optional(),
  versionNumbers: z.array(z.number()).optional(),
  deploymentType: z.string().optional(),
  buildNumber: z.number().optional(),
  serverTitle: z.string().optional(),
});
export type ServerInfo = z.infer<typeof serverInfoSchema>;

const permissionSchema = z.looseObject({
  key: z.string().optional(),
  name: z.string().optional(),
  havePermission: z.boolean(),
});
const myPermissionsSchema = z.looseObject({
  permissions: z.record(z.string(), permissionSchema),
});
export type MyPermissions = z.infer<typeof myPermissionsSchema>['permissions'];

/** The account jira-sync calls as (`accountId` on Cloud, `name` on Data Center). */
export function getMyself(client: JiraClient) {
  return client.send({
    operation: 'getMyself',
    method: 'GET',
    path: '/rest/api/2/myself',
    expect: userSchema,
  });
}

/** Version and deployment type (`Cloud`, `Server`, `DataCenter`). */
export function getServerInfo(client: JiraClient): Promise<ServerInfo> {
  return client.send({
    operation: 'getServerInfo',
    method: 'GET',
    path: '/rest/api/2/serverInfo',
    expect: serverInfoSchema,
  });
}

export interface MyPermissionsQuery {
  readonly permissions: readonly string[];
  readonly projectKey?: string;
  readonly issueKey?: string;
  readonly issueId?: string;
}

/** Which of `permissions` the account holds, in a project or for an issue; keyed by permission key. */
export async function getMyPermissions(
  client: JiraClient,
  query: MyPermissionsQuery,
): Promise<MyPermissions> {
  const answer = await client.send({
    operation: 'getMyPermissions',
    method: 'GET',
    path: '/rest/api/2/mypermissions',
    query: {
      permissions: query.permissions,
      projectKey: query.projectKey,
      issueKey: query.issueKey,
      issueId: query.issueId,
    },
    expect: myPermissionsSchema,
  });
  return answer.permissions;
}
