import type { JiraClient } from './client.ts';
import {
  describeErrorBody,
  type JiraCallContext,
  type JiraErrorBody,
  JiraPermissionError,
} from './errors.ts';
import { getMyPermissions } from './platform/server.ts';
import type { JiraRequest } from './request.ts';

/** Project permission keys the operations ask for (Jira's names, as mypermissions reports them). */
export const PERMISSIONS = {
  browse: 'BROWSE_PROJECTS',
  create: 'CREATE_ISSUES',
  edit: 'EDIT_ISSUES',
  transition: 'TRANSITION_ISSUES',
  comment: 'ADD_COMMENTS',
  editAllComments: 'EDIT_ALL_COMMENTS',
  deleteAllComments: 'DELETE_ALL_COMMENTS',
  attach: 'CREATE_ATTACHMENTS',
  deleteAllAttachments: 'DELETE_ALL_ATTACHMENTS',
  link: 'LINK_ISSUES',
  agent: 'SERVICEDESK_AGENT',
} as const;

const ISSUE_KEY = /^([A-Z][A-Z0-9_]*)-\d+$/;

/**
 * Turns a 403 into an error that says what to grant: asks mypermissions, for the issue or project the call
 * was about, which of the permissions the call needs the account lacks. When the diagnosis itself fails
 * the error still names the call and Jira's own message.
 */
export async function forbiddenError(
  client: JiraClient,
  request: JiraRequest,
  context: JiraCallContext,
  body: JiraErrorBody,
): Promise<JiraPermissionError> {
  const needed = request.permissions ?? [];
  const project = request.project ?? ISSUE_KEY.exec(request.issue ?? '')?.[1];
  const where = project
    ? `project ${project}`
    : request.issue
      ? `the project of issue ${request.issue}`
      : 'this site';
  const jiraSays =
    body.errorMessages.length || Object.keys(body.errors).length ? ` Jira: ${describeErrorBody(body)}` : '';
  if (needed.length === 0) {
    return new JiraPermissionError(context, `forbidden (403) in ${where}.${jiraSays}`, project, []);
  }
  try {
    const scope = request.project
      ? { projectKey: request.project }
      : request.issue === undefined
        ? {}
        : ISSUE_KEY.test(request.issue)
          ? { issueKey: request.issue }
          : { issueId: request.issue };
    const granted = await getMyPermissions(client, { ...scope, permissions: needed });
    const missing = needed.filter((key) => granted[key]?.havePermission !== true);
    const message =
      missing.length > 0
        ? `forbidden (403): jira-sync's account lacks ${missing.join(', ')} in ${where}; grant it in the project's permission scheme.${jiraSays}`
        : `forbidden (403) in ${where} although the account holds ${needed.join(', ')} (issue security, or a workflow condition?).${jiraSays}`;
    return new JiraPermissionError(context, message, project, missing);
  } catch (cause) {
    return new JiraPermissionError(
      context,
      `forbidden (403) in ${where}; needs ${needed.join(', ')} (mypermissions could not say which is missing).${jiraSays}`,
      project,
      [],
      { cause },
    );
  }
}
