import { JiraError } from '../errors.ts';
import { browseIssue, type OpsContext, reindex, touch } from './ops-context.ts';
import type { Comment, Issue, User } from './types.ts';

/** Comments, public and internal. The platform API and the Service Management API share these. */

export interface CommentInput {
  readonly body: string;
  /** Service Management internal note; also set by the `sd.public.comment` property `{internal: true}`. */
  readonly internal?: boolean;
  readonly visibility?: { readonly type: 'group' | 'role'; readonly value: string };
  readonly properties?: readonly { readonly key: string; readonly value: unknown }[];
}

const MAX_BODY = 32_767;

function internalFromProperties(properties: CommentInput['properties']): boolean | undefined {
  const p = properties?.find((x) => x.key === 'sd.public.comment');
  if (!p || typeof p.value !== 'object' || p.value === null) return undefined;
  const internal = (p.value as { internal?: unknown }).internal;
  return typeof internal === 'boolean' ? internal : undefined;
}

function commentableIssue(ctx: OpsContext, actor: User, idOrKey: string, portal: boolean): Issue {
  if (portal) {
    const issue = ctx.state.findIssue(idOrKey);
    if (!issue || !ctx.state.portalCanSee(actor, issue)) throw JiraError.issueNotFound();
    return issue;
  }
  const issue = browseIssue(ctx, actor, idOrKey);
  if (!ctx.state.hasPermission(actor, ctx.state.projectOf(issue), 'ADD_COMMENTS')) {
    throw JiraError.badRequest('You do not have the permission to comment on this issue.');
  }
  return issue;
}

function checkBody(body: unknown): asserts body is string {
  if (typeof body !== 'string' || body.trim() === '')
    throw JiraError.fieldErrors({ comment: 'Comment body can not be empty!' });
  if (body.length > MAX_BODY) throw new JiraError(413, ['The comment is too large.']);
}

export function addComment(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  input: CommentInput,
  opts: { readonly portal?: boolean } = {},
): Comment {
  const portal = opts.portal === true;
  const issue = commentableIssue(ctx, actor, idOrKey, portal);
  checkBody(input.body);
  const project = ctx.state.projectOf(issue);
  const agent = ctx.state.hasPermission(actor, project, 'SERVICEDESK_AGENT');
  const internal =
    project.serviceDesk !== undefined &&
    (input.internal ?? internalFromProperties(input.properties) ?? false);
  if (internal && !agent) throw JiraError.forbidden('Only agents can add internal comments.');
  const now = ctx.now();
  const comment: Comment = {
    id: ctx.state.nextId('comment'),
    issueId: issue.id,
    author: actor.handle,
    updateAuthor: actor.handle,
    body: input.body,
    created: now,
    updated: now,
    internal,
    ...(input.visibility ? { visibility: { ...input.visibility } } : {}),
    properties: new Map((input.properties ?? []).map((p) => [p.key, p.value])),
  };
  issue.comments.push(comment);
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({ type: 'comment_created', issue, comment, actor: actor.handle });
  ctx.emit({ type: 'issue_updated', issue, actor: actor.handle, eventTypeName: 'issue_commented', comment });
  return comment;
}

export function findComment(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  commentId: string,
): { issue: Issue; comment: Comment } {
  const issue = browseIssue(ctx, actor, idOrKey);
  const comment = issue.comments.find((c) => c.id === commentId);
  if (!comment) throw JiraError.notFound(`Can not find a comment for the id: ${commentId}.`);
  return { issue, comment };
}

export function updateComment(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  commentId: string,
  input: CommentInput,
): Comment {
  const { issue, comment } = findComment(ctx, actor, idOrKey, commentId);
  const project = ctx.state.projectOf(issue);
  const may =
    ctx.state.hasPermission(actor, project, 'EDIT_ALL_COMMENTS') ||
    (comment.author === actor.handle && ctx.state.hasPermission(actor, project, 'EDIT_OWN_COMMENTS'));
  if (!may) throw JiraError.badRequest('You do not have the permission to edit this comment.');
  checkBody(input.body);
  comment.body = input.body;
  comment.updateAuthor = actor.handle;
  comment.updated = ctx.now();
  if (input.visibility) comment.visibility = { ...input.visibility };
  for (const p of input.properties ?? []) comment.properties.set(p.key, p.value);
  const internal = internalFromProperties(input.properties);
  if (internal !== undefined && project.serviceDesk) comment.internal = internal;
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({ type: 'comment_updated', issue, comment, actor: actor.handle });
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_comment_edited',
    comment,
  });
  return comment;
}

export function deleteComment(ctx: OpsContext, actor: User, idOrKey: string, commentId: string): void {
  const { issue, comment } = findComment(ctx, actor, idOrKey, commentId);
  const project = ctx.state.projectOf(issue);
  const may =
    ctx.state.hasPermission(actor, project, 'DELETE_ALL_COMMENTS') ||
    (comment.author === actor.handle && ctx.state.hasPermission(actor, project, 'DELETE_OWN_COMMENTS'));
  if (!may) throw JiraError.badRequest('You do not have the permission to delete this comment.');
  issue.comments = issue.comments.filter((c) => c !== comment);
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({ type: 'comment_deleted', issue, comment, actor: actor.handle });
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_comment_deleted',
    comment,
  });
}
