import { JiraError } from '../errors.ts';
import type { DomainEvent } from './events.ts';
import type { SiteState } from './state.ts';
import type { IndexedIssue, Issue, Project, ProjectPermission, User } from './types.ts';

/** What every domain operation needs: the state, the clock, the event sink and the live fault settings. */
export interface OpsContext {
  readonly state: SiteState;
  readonly now: () => number;
  readonly emit: (event: DomainEvent) => void;
  /** Search index lag (a fault): how long a change stays invisible to JQL. */
  readonly indexLagMs: () => number;
  readonly maxAttachmentBytes: number;
}

export function indexDoc(issue: Issue): IndexedIssue {
  return {
    id: issue.id,
    key: issue.key,
    projectId: issue.projectId,
    issueTypeId: issue.issueTypeId,
    statusId: issue.statusId,
    created: issue.created,
    updated: issue.updated,
    assignee: issue.assignee,
    reporter: issue.reporter,
    labels: [...issue.labels],
    requestTypeId: issue.requestTypeId,
  };
}

/** Queues the issue for the search index; with no lag it is searchable at once. */
export function reindex(ctx: OpsContext, issue: Issue, deleted = false): void {
  const lag = ctx.indexLagMs();
  const doc = deleted ? null : indexDoc(issue);
  if (lag <= 0) {
    issue.indexed = doc;
    issue.pendingIndex = null;
  } else {
    issue.pendingIndex = { at: ctx.now() + lag, doc };
  }
}

/** What JQL sees of an issue now. */
export function searchable(issue: Issue, now: number): IndexedIssue | null {
  if (issue.pendingIndex && issue.pendingIndex.at <= now) {
    issue.indexed = issue.pendingIndex.doc;
    issue.pendingIndex = null;
  }
  return issue.indexed;
}

/** The issue if the actor may browse it; 404 otherwise, as Jira hides what one cannot see. */
export function browseIssue(ctx: OpsContext, actor: User, idOrKey: string): Issue {
  const issue = ctx.state.findIssue(idOrKey);
  if (!issue || !ctx.state.visibleIssue(actor, issue)) throw JiraError.issueNotFound();
  return issue;
}

export function requirePermission(
  ctx: OpsContext,
  actor: User,
  project: Project,
  permission: ProjectPermission,
  failure: () => JiraError,
): void {
  if (!ctx.state.hasPermission(actor, project, permission)) throw failure();
}

export function touch(ctx: OpsContext, issue: Issue): void {
  // Strictly increasing, so "updated >= <last seen>" sweeps and ORDER BY updated are deterministic.
  issue.updated = Math.max(ctx.now(), issue.updated + 1);
}
