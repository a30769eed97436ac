/**
 * The Jira REST operations jira-sync uses (client) and simulates (simulator), as path templates of
 * Atlassian's OpenAPI files. Only these are vendored into `openapi/` (with every schema they reference),
 * so tests and `npm start` validate against Atlassian's contracts without `../shared`. Add a path here and
 * run `npm run contracts:vendor` when the client or the simulator starts using a new endpoint.
 */
export const PLATFORM_PATHS = [
  '/rest/api/3/myself',
  '/rest/api/3/mypermissions',
  '/rest/api/3/serverInfo',
  '/rest/api/3/issue',
  '/rest/api/3/issue/{issueIdOrKey}',
  '/rest/api/3/issue/{issueIdOrKey}/changelog',
  '/rest/api/3/issue/{issueIdOrKey}/transitions',
  '/rest/api/3/issue/{issueIdOrKey}/comment',
  '/rest/api/3/issue/{issueIdOrKey}/comment/{id}',
  '/rest/api/3/issue/{issueIdOrKey}/attachments',
  '/rest/api/3/issue/{issueIdOrKey}/remotelink',
  '/rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}',
  '/rest/api/3/issue/{issueIdOrKey}/properties',
  '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
  '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes',
  '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}',
  '/rest/api/3/attachment/{id}',
  '/rest/api/3/attachment/content/{id}',
  '/rest/api/3/issueLink',
  '/rest/api/3/issueLink/{linkId}',
  '/rest/api/3/issueLinkType',
  '/rest/api/3/search',
  '/rest/api/3/search/jql',
  '/rest/api/3/user',
  '/rest/api/3/user/search',
  '/rest/api/3/user/bulk',
  '/rest/api/3/project',
  '/rest/api/3/project/search',
  '/rest/api/3/project/{projectIdOrKey}',
  '/rest/api/3/project/{projectIdOrKey}/statuses',
  '/rest/api/3/issuetype',
  '/rest/api/3/issuetype/project',
  '/rest/api/3/field',
  '/rest/api/3/priority',
  '/rest/api/3/status',
  '/rest/api/3/webhook',
  '/rest/api/3/webhook/refresh',
  '/rest/api/3/webhook/failed',
] as const;

export const SERVICEDESK_PATHS = [
  '/rest/servicedeskapi/info',
  '/rest/servicedeskapi/servicedesk',
  '/rest/servicedeskapi/servicedesk/{serviceDeskId}',
  '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype',
  '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}',
  '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field',
  '/rest/servicedeskapi/servicedesk/{serviceDeskId}/customer',
  '/rest/servicedeskapi/servicedesk/{serviceDeskId}/attachTemporaryFile',
  '/rest/servicedeskapi/customer',
  '/rest/servicedeskapi/requesttype',
  '/rest/servicedeskapi/request',
  '/rest/servicedeskapi/request/{issueIdOrKey}',
  '/rest/servicedeskapi/request/{issueIdOrKey}/comment',
  '/rest/servicedeskapi/request/{issueIdOrKey}/comment/{commentId}',
  '/rest/servicedeskapi/request/{issueIdOrKey}/participant',
  '/rest/servicedeskapi/request/{issueIdOrKey}/attachment',
  '/rest/servicedeskapi/request/{issueIdOrKey}/status',
  '/rest/servicedeskapi/request/{issueIdOrKey}/transition',
] as const;

export const CONTRACT_FILES = {
  platform: { source: 'jira-platform-v3.openapi.json', paths: PLATFORM_PATHS },
  servicedesk: { source: 'jira-servicedesk.openapi.json', paths: SERVICEDESK_PATHS },
} as const;

export type ContractName = keyof typeof CONTRACT_FILES;
