import { JiraError } from '../errors.ts';
import { addComment } from './comment-ops.ts';
import { recordHistory } from './issue-ops.ts';
import { browseIssue, type OpsContext, reindex, touch } from './ops-context.ts';
import type { Issue, IssueLink, RemoteLink, User } from './types.ts';

/** Issue links (same site) and remote links (anything with a URL; upserted by globalId). */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function linkIssue(ctx: OpsContext, actor: User, ref: unknown, side: string): Issue {
  const idOrKey = isRecord(ref)
    ? typeof ref.key === 'string'
      ? ref.key
      : ref.id !== undefined
        ? String(ref.id)
        : undefined
    : undefined;
  if (idOrKey === undefined) throw JiraError.badRequest(`Specify the ${side} issue by id or key.`);
  const issue = ctx.state.findIssue(idOrKey);
  if (!issue || !ctx.state.visibleIssue(actor, issue))
    throw JiraError.notFound(`Issue '${idOrKey}' does not exist or you do not have permission to see it.`);
  return issue;
}

export interface LinkInput {
  readonly type: { readonly id?: string; readonly name?: string };
  readonly inwardIssue: { readonly id?: string; readonly key?: string };
  readonly outwardIssue: { readonly id?: string; readonly key?: string };
  readonly comment?: { readonly body?: unknown };
}

export function createIssueLink(ctx: OpsContext, actor: User, input: LinkInput): IssueLink {
  const { state } = ctx;
  const type = [...state.linkTypes.values()].find(
    (t) =>
      (input.type.id !== undefined && t.id === String(input.type.id)) ||
      (input.type.name !== undefined && t.name.toLowerCase() === input.type.name.toLowerCase()),
  );
  if (!type)
    throw JiraError.notFound(
      `No issue link type with name '${input.type.name ?? input.type.id ?? ''}' found.`,
    );
  const source = linkIssue(ctx, actor, input.inwardIssue, 'inward');
  const destination = linkIssue(ctx, actor, input.outwardIssue, 'outward');
  if (!state.hasPermission(actor, state.projectOf(source), 'LINK_ISSUES')) {
    throw JiraError.notFound(`No Link Issue Permission for issue '${source.key}'.`);
  }
  const existing = [...state.links.values()].find(
    (l) => l.typeId === type.id && l.sourceId === source.id && l.destinationId === destination.id,
  );
  if (existing) return existing;
  const link: IssueLink = {
    id: state.nextId('link'),
    typeId: type.id,
    sourceId: source.id,
    destinationId: destination.id,
  };
  state.links.set(link.id, link);
  recordHistory(ctx, source, actor, [
    {
      field: 'Link',
      fieldtype: 'jira',
      fieldId: 'issuelinks',
      from: null,
      fromString: null,
      to: destination.key,
      toString: `This issue ${type.outward} ${destination.key}`,
    },
  ]);
  recordHistory(ctx, destination, actor, [
    {
      field: 'Link',
      fieldtype: 'jira',
      fieldId: 'issuelinks',
      from: null,
      fromString: null,
      to: source.key,
      toString: `This issue ${type.inward} ${source.key}`,
    },
  ]);
  for (const issue of [source, destination]) {
    touch(ctx, issue);
    reindex(ctx, issue);
  }
  ctx.emit({ type: 'issuelink_created', link, actor: actor.handle });
  if (input.comment && typeof input.comment.body === 'string')
    addComment(ctx, actor, source.id, { body: input.comment.body });
  return link;
}

export function findIssueLink(ctx: OpsContext, actor: User, id: string): IssueLink {
  const link = ctx.state.links.get(id);
  const source = link ? ctx.state.issues.get(link.sourceId) : undefined;
  const destination = link ? ctx.state.issues.get(link.destinationId) : undefined;
  if (
    !link ||
    !source ||
    !destination ||
    !ctx.state.visibleIssue(actor, source) ||
    !ctx.state.visibleIssue(actor, destination)
  ) {
    throw JiraError.notFound(`No issue link with id '${id}' exists.`);
  }
  return link;
}

export function deleteIssueLink(ctx: OpsContext, actor: User, id: string): void {
  const { state } = ctx;
  const link = findIssueLink(ctx, actor, id);
  const source = state.issues.get(link.sourceId) as Issue;
  const destination = state.issues.get(link.destinationId) as Issue;
  if (!state.hasPermission(actor, state.projectOf(source), 'LINK_ISSUES')) {
    throw JiraError.notFound(`No Link Issue Permission for issue '${source.key}'.`);
  }
  state.links.delete(id);
  const type = state.linkTypes.get(link.typeId);
  recordHistory(ctx, source, actor, [
    {
      field: 'Link',
      fieldtype: 'jira',
      fieldId: 'issuelinks',
      from: destination.key,
      fromString: `This issue ${type?.outward ?? 'links to'} ${destination.key}`,
      to: null,
      toString: null,
    },
  ]);
  for (const issue of [source, destination]) {
    touch(ctx, issue);
    reindex(ctx, issue);
  }
  ctx.emit({ type: 'issuelink_deleted', link, actor: actor.handle });
}

export interface RemoteLinkInput {
  readonly globalId?: string;
  readonly relationship?: string;
  readonly application?: Record<string, unknown>;
  readonly object: Record<string, unknown> & { readonly url: string; readonly title: string };
}

function remoteLinkIssue(ctx: OpsContext, actor: User, idOrKey: string): Issue {
  const issue = browseIssue(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  if (!ctx.state.hasPermission(actor, project, 'LINK_ISSUES')) {
    throw JiraError.forbidden(
      `You do not have permission to link issues in project ${project.key} (LINK_ISSUES).`,
    );
  }
  return issue;
}

function remoteLinkChanged(
  ctx: OpsContext,
  actor: User,
  issue: Issue,
  link: RemoteLink,
  removed: boolean,
): void {
  const history = recordHistory(ctx, issue, actor, [
    removed
      ? {
          field: 'RemoteIssueLink',
          fieldtype: 'jira',
          fieldId: 'RemoteIssueLink',
          from: link.id,
          fromString: `This issue links to "${link.object.title}"`,
          to: null,
          toString: null,
        }
      : {
          field: 'RemoteIssueLink',
          fieldtype: 'jira',
          fieldId: 'RemoteIssueLink',
          from: null,
          fromString: null,
          to: link.id,
          toString: `This issue links to "${link.object.title}"`,
        },
  ]);
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_updated',
    ...(history ? { history } : {}),
  });
}

/** Creates a remote link, or updates the one with the same `globalId` (Jira's upsert). */
export function upsertRemoteLink(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  input: RemoteLinkInput,
): { link: RemoteLink; created: boolean } {
  const issue = remoteLinkIssue(ctx, actor, idOrKey);
  const existing =
    input.globalId === undefined ? undefined : issue.remoteLinks.find((l) => l.globalId === input.globalId);
  if (existing) {
    const same =
      JSON.stringify([existing.relationship, existing.application, existing.object]) ===
      JSON.stringify([input.relationship, input.application, input.object]);
    existing.relationship = input.relationship;
    existing.application = input.application;
    existing.object = { ...input.object };
    if (!same) remoteLinkChanged(ctx, actor, issue, existing, false);
    return { link: existing, created: false };
  }
  const link: RemoteLink = {
    id: ctx.state.nextId('remoteLink'),
    issueId: issue.id,
    ...(input.globalId === undefined ? {} : { globalId: input.globalId }),
    ...(input.relationship === undefined ? {} : { relationship: input.relationship }),
    ...(input.application === undefined ? {} : { application: input.application }),
    object: { ...input.object },
  };
  issue.remoteLinks.push(link);
  remoteLinkChanged(ctx, actor, issue, link, false);
  return { link, created: true };
}

export function updateRemoteLink(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  linkId: string,
  input: RemoteLinkInput,
): RemoteLink {
  const issue = remoteLinkIssue(ctx, actor, idOrKey);
  const link = issue.remoteLinks.find((l) => l.id === linkId);
  if (!link) throw JiraError.notFound(`No remote link with id '${linkId}' on ${issue.key}.`);
  if (input.globalId !== undefined) link.globalId = input.globalId;
  link.relationship = input.relationship;
  link.application = input.application;
  link.object = { ...input.object };
  remoteLinkChanged(ctx, actor, issue, link, false);
  return link;
}

export function deleteRemoteLinks(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  match: { readonly id?: string; readonly globalId?: string },
): void {
  const issue = remoteLinkIssue(ctx, actor, idOrKey);
  const doomed = issue.remoteLinks.filter(
    (l) =>
      (match.id !== undefined && l.id === match.id) ||
      (match.globalId !== undefined && l.globalId === match.globalId),
  );
  if (doomed.length === 0) throw JiraError.notFound('No remote link matches.');
  issue.remoteLinks = issue.remoteLinks.filter((l) => !doomed.includes(l));
  for (const link of doomed) remoteLinkChanged(ctx, actor, issue, link, true);
}
