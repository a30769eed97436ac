import type { Readable } from 'node:stream';
import type { AttachmentView } from './attachments.ts';
import type { Json } from './canonical.ts';
import type { CommentView } from './comments.ts';
import type { TransitionEdge } from './status-path.ts';

/**
 * What the sync engine needs from one Jira site. The engine is written against this port, and
 * `jira-site.ts` implements it with the Jira client; unit tests use an in-memory fake, integration and e2e
 * tests the real client against the simulator.
 */

/** A field as Jira describes it (`GET /rest/api/2/field`). */
export interface FieldMeta {
  readonly id: string;
  readonly name: string;
  /** Jira's schema type: string, number, date, datetime, option, user, priority, array, … */
  readonly type: string;
  /** For arrays: the item type (string for labels, component, option, user, …). */
  readonly items?: string;
}

export interface IssueSnapshot {
  readonly id: string;
  readonly key: string;
  readonly projectKey: string;
  readonly issueType: string;
  readonly status: string;
  /** Jira's `updated`, in ms since the epoch. */
  readonly updated: number;
  /** Raw field values by field id, in the REST v2 representation. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly comments: readonly CommentView[];
  readonly attachments: readonly AttachmentView[];
  /** The `jira-sync` issue property, when the issue carries one. */
  readonly syncProperty?: Json;
}

export interface CreateIssueInput {
  readonly project: string;
  readonly issueType?: string;
  readonly requestType?: string;
  readonly fields: Readonly<Record<string, unknown>>;
  /** Written as the `jira-sync` issue property in the same call, so the new issue names its origin. */
  readonly syncProperty: Json;
}

/** An issue found by `findRecentlyUpdated`. */
export interface RecentIssue {
  readonly id: string;
  readonly key: string;
  readonly syncProperty?: Json;
  /** Who created it (accountId on Cloud, username on Data Center), when Jira says. */
  readonly creator?: string;
  /** Jira's `created`, ms since the epoch. */
  readonly created?: number;
  readonly summary?: string;
  readonly description?: string;
}

/** What a flow may name in a project: issue types, workflow statuses and (JSM) request types. */
export interface ProjectDescription {
  readonly issueTypes: readonly string[];
  readonly statuses: readonly string[];
  /** Undefined when the project is not a service desk. */
  readonly requestTypes?: readonly string[];
}

export interface SitePort {
  readonly connectionId: string;
  readonly flavor: 'cloud' | 'datacenter';
  readonly serviceDesk: boolean;
  /** Human-readable site name for attribution lines. */
  readonly siteName: string;
  /** The account jira-sync writes as (accountId on Cloud, username on Data Center). */
  ownAccount(): Promise<string>;
  fields(): Promise<readonly FieldMeta[]>;
  /** `undefined` when the project does not exist or cannot be seen. */
  describeProject(projectKey: string): Promise<ProjectDescription | undefined>;
  /** `undefined` when the issue does not exist (deleted) or cannot be seen. */
  getIssue(issueIdOrKey: string): Promise<IssueSnapshot | undefined>;
  createIssue(input: CreateIssueInput): Promise<{ id: string; key: string }>;
  /** Issues of a project updated since a time, with their `jira-sync` property (create-intent recovery). */
  findRecentlyUpdated(project: string, since: number): Promise<readonly RecentIssue[]>;
  /** Writes the `jira-sync` issue property of an existing issue (a request adopted after a crash). */
  markIssue(issueId: string, syncProperty: Json): Promise<void>;
  /** The issues a JQL query matches, page after page, with `updated` (ms since the epoch) when Jira says. */
  searchIssueStates(jql: string): AsyncIterable<{ readonly id: string; readonly updated?: number }>;
  editIssue(issueId: string, fields: Readonly<Record<string, unknown>>): Promise<void>;
  transitions(issueId: string): Promise<readonly TransitionEdge[]>;
  transition(issueId: string, transitionId: string): Promise<void>;
  addComment(
    issueId: string,
    body: string,
    options: {
      readonly public?: boolean;
      readonly copyOf: { readonly side: 'source' | 'target'; readonly id: string };
    },
  ): Promise<{ id: string }>;
  editComment(issueId: string, commentId: string, body: string): Promise<void>;
  deleteComment(issueId: string, commentId: string): Promise<void>;
  downloadAttachment(attachment: Pick<AttachmentView, 'id' | 'filename'>): Promise<Readable>;
  uploadAttachment(
    issueId: string,
    filename: string,
    content: Readable,
    size: number,
  ): Promise<{ id: string }>;
  deleteAttachment(attachmentId: string): Promise<void>;
  /** A user on this site for a user of the other site, by e-mail (undefined when not found or hidden). */
  findUserByEmail(email: string): Promise<string | undefined>;
  /** An issue link between two issues of this site (a same-site flow's pair). */
  linkIssues(outwardIssueId: string, inwardIssueId: string, type: string): Promise<void>;
  /** Remote link with a stable global id (created or updated). */
  upsertRemoteLink(issueId: string, link: { globalId: string; url: string; title: string }): Promise<void>;
  /** Browser URL of an issue. */
  issueUrl(key: string): string;
}
