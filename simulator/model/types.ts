/** The in-memory state of one simulated Jira site. Ids are strings, as Jira renders them. */

export type Flavour = 'cloud' | 'datacenter';

export const PROJECT_PERMISSIONS = [
  'BROWSE_PROJECTS',
  'CREATE_ISSUES',
  'EDIT_ISSUES',
  'TRANSITION_ISSUES',
  'RESOLVE_ISSUES',
  'CLOSE_ISSUES',
  'ASSIGN_ISSUES',
  'ASSIGNABLE_USER',
  'MODIFY_REPORTER',
  'DELETE_ISSUES',
  'LINK_ISSUES',
  'ADD_COMMENTS',
  'EDIT_ALL_COMMENTS',
  'EDIT_OWN_COMMENTS',
  'DELETE_ALL_COMMENTS',
  'DELETE_OWN_COMMENTS',
  'CREATE_ATTACHMENTS',
  'DELETE_ALL_ATTACHMENTS',
  'DELETE_OWN_ATTACHMENTS',
  'WORK_ON_ISSUES',
  'SERVICEDESK_AGENT',
  'ADMINISTER_PROJECTS',
] as const;
export type ProjectPermission = (typeof PROJECT_PERMISSIONS)[number];
export const GLOBAL_PERMISSIONS = ['ADMINISTER', 'USER_PICKER'] as const;
export type GlobalPermission = (typeof GLOBAL_PERMISSIONS)[number];
export type Permission = ProjectPermission | GlobalPermission;

export interface User {
  /** The name tests and the seed use for this user (`alice`); on Data Center also the username. */
  readonly handle: string;
  /** Cloud only. */
  readonly accountId?: string;
  /** Data Center only: username and user key (`JIRAUSER10100`). */
  readonly name?: string;
  readonly key?: string;
  displayName: string;
  email: string;
  /** Cloud users may hide their e-mail: REST and webhooks then leave `emailAddress` out. */
  emailVisible: boolean;
  timeZone: string;
  readonly accountType: 'atlassian' | 'app' | 'customer';
  active: boolean;
  /** Jira administrators (global ADMINISTER): admin webhooks, project and field administration. */
  admin: boolean;
  /** Cloud Basic auth: e-mail + one of these API tokens. */
  apiTokens: string[];
  /** Data Center Basic auth. */
  password?: string;
  /** Data Center personal access tokens (Bearer). */
  pats: string[];
}

export interface StatusCategory {
  readonly id: number;
  readonly key: 'new' | 'indeterminate' | 'done';
  readonly name: string;
  readonly colorName: string;
}

export interface Status {
  readonly id: string;
  readonly name: string;
  readonly category: StatusCategory['key'];
}

export interface Transition {
  readonly id: string;
  readonly name: string;
  /** Statuses it starts from; empty means a global transition (from any status). */
  readonly from: readonly string[];
  readonly to: string;
  /** Service Management: customers may run it from the portal (`/request/{id}/transition`). */
  readonly customer?: boolean;
}

export interface Workflow {
  readonly id: string;
  readonly name: string;
  readonly initialStatus: string;
  readonly transitions: readonly Transition[];
}

export interface IssueType {
  readonly id: string;
  name: string;
  description: string;
  readonly subtask: boolean;
  readonly avatarId: number;
}

export interface Priority {
  readonly id: string;
  name: string;
  description: string;
  statusColor: string;
  iconUrl: string;
}

export interface Resolution {
  readonly id: string;
  readonly name: string;
}

export type CustomFieldType = 'text' | 'textarea' | 'number' | 'select' | 'user' | 'date';

export interface CustomField {
  readonly id: string;
  readonly numericId: number;
  name: string;
  description: string;
  readonly type: CustomFieldType;
  /** Select options. */
  options: { readonly id: string; value: string }[];
}

export interface RequestTypeField {
  readonly fieldId: string;
  readonly name: string;
  readonly required: boolean;
}

export interface RequestType {
  readonly id: string;
  name: string;
  description: string;
  helpText: string;
  readonly issueTypeId: string;
  readonly fields: readonly RequestTypeField[];
}

export interface ServiceDesk {
  readonly id: string;
  readonly projectId: string;
  requestTypes: RequestType[];
  /** Handles of portal customers. */
  customers: Set<string>;
}

export interface Project {
  readonly id: string;
  key: string;
  name: string;
  description: string;
  readonly type: 'software' | 'service_desk' | 'business';
  lead: string;
  issueTypeIds: string[];
  readonly workflowId: string;
  /** Per user handle; users not listed have no permission in the project. */
  permissions: Map<string, Set<ProjectPermission>>;
  serviceDesk?: ServiceDesk;
  nextNumber: number;
  deleted: boolean;
}

export interface ChangeItem {
  readonly field: string;
  readonly fieldtype: 'jira' | 'custom';
  /** Absent for items Jira records without one (`Key`, `Workflow` on a move). */
  readonly fieldId?: string;
  readonly from: string | null;
  readonly fromString: string | null;
  readonly to: string | null;
  readonly toString: string | null;
  /** User fields on Cloud: webhooks carry these (REST does not). */
  readonly accountIds?: { readonly from: string | null; readonly to: string | null };
}

export interface History {
  readonly id: string;
  readonly author: string;
  readonly created: number;
  readonly items: readonly ChangeItem[];
}

export interface Comment {
  readonly id: string;
  readonly issueId: string;
  readonly author: string;
  updateAuthor: string;
  body: string;
  readonly created: number;
  updated: number;
  /** Service Management internal note (`jsdPublic: false`). */
  internal: boolean;
  visibility?: { type: 'group' | 'role'; value: string };
  properties: Map<string, unknown>;
}

export interface Attachment {
  readonly id: string;
  readonly issueId: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly content: Buffer;
  readonly author: string;
  readonly created: number;
}

export interface IssueLinkType {
  readonly id: string;
  name: string;
  inward: string;
  outward: string;
}

export interface IssueLink {
  readonly id: string;
  readonly typeId: string;
  /** The issue the link starts from (`inwardIssue` in a create request, shown with the outward text). */
  readonly sourceId: string;
  readonly destinationId: string;
}

export interface RemoteLink {
  readonly id: string;
  readonly issueId: string;
  globalId?: string;
  relationship?: string;
  application?: Record<string, unknown>;
  object: Record<string, unknown> & { url: string; title: string };
}

export interface Worklog {
  readonly id: string;
  readonly issueId: string;
  readonly author: string;
  comment: string;
  readonly started: number;
  timeSpentSeconds: number;
  readonly created: number;
  updated: number;
}

/** What JQL sees of an issue: Jira's index, which can lag behind the issue itself. */
export interface IndexedIssue {
  readonly id: string;
  readonly key: string;
  readonly projectId: string;
  readonly issueTypeId: string;
  readonly statusId: string;
  readonly created: number;
  readonly updated: number;
  readonly assignee: string | null;
  readonly reporter: string | null;
  readonly labels: readonly string[];
  readonly requestTypeId: string | null;
}

export interface Issue {
  readonly id: string;
  key: string;
  projectId: string;
  issueTypeId: string;
  statusId: string;
  summary: string;
  description: string | null;
  environment: string | null;
  priorityId: string | null;
  assignee: string | null;
  reporter: string | null;
  readonly creator: string;
  labels: string[];
  duedate: string | null;
  resolutionId: string | null;
  resolutionDate: number | null;
  /** Custom field values: text/number as is, select as option id, user as handle, date as yyyy-MM-dd. */
  custom: Map<string, string | number>;
  readonly created: number;
  updated: number;
  statusCategoryChanged: number;
  comments: Comment[];
  attachments: string[];
  properties: Map<string, unknown>;
  remoteLinks: RemoteLink[];
  history: History[];
  worklogs: Worklog[];
  /** Service Management request type and participants. */
  requestTypeId: string | null;
  participants: string[];
  /** Keys the issue had before moves (Jira keeps them resolvable). */
  previousKeys: string[];
  /** The index JQL reads; replaced by `pendingIndex` once its time comes (search index lag). */
  indexed: IndexedIssue | null;
  pendingIndex: { readonly at: number; readonly doc: IndexedIssue | null } | null;
}
