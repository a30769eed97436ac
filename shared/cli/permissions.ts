import type { Flow } from '../config/flows.ts';

/**
 * Project permissions (Jira's keys, as `GET /rest/api/2/mypermissions` reports them and as the platform
 * OpenAPI lists the built-in ones) the integration account needs for a flow, per side, each with the reason
 * doctor prints next to a missing one. Derived from what the engine writes on that side: the target gets
 * created issues, both sides get what flows towards them (fields, status, comments, attachments) and the
 * remote links between the pair.
 */

export type Side = 'source' | 'target';
type Direction = Flow['direction'];

export const PERMISSION_REASONS = {
  BROWSE_PROJECTS: 'read issues',
  CREATE_ISSUES: 'create the copy of each source issue',
  EDIT_ISSUES: 'write fields and the jira-sync issue property',
  TRANSITION_ISSUES: 'move issues through the workflow (status map)',
  ADD_COMMENTS: 'copy comments',
  EDIT_OWN_COMMENTS: 'update copied comments when the original changes',
  DELETE_OWN_COMMENTS: 'delete copies of deleted comments',
  CREATE_ATTACHMENTS: 'copy attachments',
  DELETE_OWN_ATTACHMENTS: 'delete copies of deleted attachments',
  LINK_ISSUES: 'link the two issues (issue link or remote links)',
  SERVICEDESK_AGENT: 'act as an agent on the service desk (requests, internal notes)',
} as const;

export type NeededPermission = keyof typeof PERMISSION_REASONS;

const ORDER = Object.keys(PERMISSION_REASONS) as NeededPermission[];

/** Does a flow (or one of its parts) with this direction write to `side`? */
export function writesTo(direction: Direction, side: Side): boolean {
  if (direction === 'two-way') return true;
  return side === 'target' ? direction === 'source-to-target' : direction === 'target-to-source';
}

/**
 * The permissions the flow needs on one side's project. `serviceDesk` says whether that project is a Jira
 * Service Management project (then the account must be an agent to write requests and internal notes).
 */
export function requiredPermissions(flow: Flow, side: Side, serviceDesk: boolean): NeededPermission[] {
  const needed = new Set<NeededPermission>(['BROWSE_PROJECTS']);
  const fieldDirections = flow.fields.map((f) =>
    'constant' in f ? ('source-to-target' as const) : (f.direction ?? flow.direction),
  );
  if (side === 'target') {
    needed.add('CREATE_ISSUES');
    // The jira-sync marker property is written with the created issue (or by an edit right after a request).
    needed.add('EDIT_ISSUES');
  }
  if (fieldDirections.some((d) => writesTo(d, side))) needed.add('EDIT_ISSUES');
  if (flow.status && writesTo(flow.status.direction ?? flow.direction, side)) needed.add('TRANSITION_ISSUES');
  if (flow.comments !== false && writesTo(flow.comments.direction ?? flow.direction, side)) {
    needed.add('ADD_COMMENTS');
    needed.add('EDIT_OWN_COMMENTS');
    needed.add('DELETE_OWN_COMMENTS');
  }
  if (flow.attachments !== false && writesTo(flow.attachments.direction ?? flow.direction, side)) {
    needed.add('CREATE_ATTACHMENTS');
    needed.add('DELETE_OWN_ATTACHMENTS');
  }
  const sameSite = flow.source.connection === flow.target.connection;
  if (sameSite || flow.links.remoteLinks) needed.add('LINK_ISSUES');
  if (side === 'target' && flow.onSourceDeleted.action === 'comment') needed.add('ADD_COMMENTS');
  if (side === 'target' && flow.onSourceDeleted.action === 'transition') needed.add('TRANSITION_ISSUES');
  if (serviceDesk) needed.add('SERVICEDESK_AGENT');
  return ORDER.filter((p) => needed.has(p));
}

/** Where to grant a project permission, per flavour (the wording of Jira's own menus). */
export function grantHint(
  flavor: 'cloud' | 'datacenter',
  project: string,
  account: string,
  count = 2,
): string {
  const where =
    flavor === 'cloud'
      ? `Project settings → Permissions → Actions → Edit permissions (project ${project})`
      : `Project settings → Permissions (project ${project}), or Administration → Issues → Permission schemes`;
  return `grant ${count === 1 ? 'it' : 'them'} to ${account} (or a group or project role it belongs to): ${where}`;
}
