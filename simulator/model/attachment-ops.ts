import { JiraError } from '../errors.ts';
import { recordHistory } from './issue-ops.ts';
import { browseIssue, type OpsContext, reindex, touch } from './ops-context.ts';
import type { Attachment, Issue, User } from './types.ts';

export interface UploadedFile {
  readonly filename: string;
  readonly mimeType: string;
  readonly content: Buffer;
}

/** Adds files to an issue; `portal` is the Service Management customer path (temporary files). */
export function addAttachments(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  files: readonly UploadedFile[],
  opts: { readonly portal?: boolean } = {},
): Attachment[] {
  const { state } = ctx;
  let issue: Issue;
  if (opts.portal) {
    const found = state.findIssue(idOrKey);
    if (!found || !state.portalCanSee(actor, found)) throw JiraError.issueNotFound();
    issue = found;
  } else {
    issue = browseIssue(ctx, actor, idOrKey);
    const project = state.projectOf(issue);
    if (!state.hasPermission(actor, project, 'CREATE_ATTACHMENTS')) {
      throw JiraError.forbidden(
        `You do not have permission to create attachments in project ${project.key} (CREATE_ATTACHMENTS).`,
      );
    }
  }
  if (files.length === 0) throw JiraError.badRequest('No attachments were given.');
  for (const f of files) {
    if (f.content.length > ctx.maxAttachmentBytes) {
      throw new JiraError(413, [
        `The file ${f.filename} is larger than the maximum attachment size of ${ctx.maxAttachmentBytes} bytes.`,
      ]);
    }
  }
  const now = ctx.now();
  const created = files.map((f) => {
    const attachment: Attachment = {
      id: state.nextId('attachment'),
      issueId: issue.id,
      filename: f.filename,
      mimeType: f.mimeType,
      content: f.content,
      author: actor.handle,
      created: now,
    };
    state.addAttachment(attachment);
    issue.attachments.push(attachment.id);
    return attachment;
  });
  const history = recordHistory(
    ctx,
    issue,
    actor,
    created.map((a) => ({
      field: 'Attachment',
      fieldtype: 'jira',
      fieldId: 'attachment',
      from: null,
      fromString: null,
      to: a.id,
      toString: a.filename,
    })),
  );
  touch(ctx, issue);
  reindex(ctx, issue);
  for (const attachment of created) ctx.emit({ type: 'attachment_created', attachment, actor: actor.handle });
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_updated',
    ...(history ? { history } : {}),
  });
  return created;
}

export function findAttachment(ctx: OpsContext, actor: User, id: string): Attachment {
  const attachment = ctx.state.attachments.get(id);
  const issue = attachment ? ctx.state.issues.get(attachment.issueId) : undefined;
  if (
    !attachment ||
    !issue ||
    !(ctx.state.visibleIssue(actor, issue) || ctx.state.portalCanSee(actor, issue))
  ) {
    throw JiraError.notFound(`The attachment with id '${id}' does not exist.`);
  }
  return attachment;
}

export function deleteAttachment(ctx: OpsContext, actor: User, id: string): void {
  const { state } = ctx;
  const attachment = findAttachment(ctx, actor, id);
  const issue = state.issues.get(attachment.issueId) as Issue;
  const project = state.projectOf(issue);
  const may =
    state.hasPermission(actor, project, 'DELETE_ALL_ATTACHMENTS') ||
    (attachment.author === actor.handle && state.hasPermission(actor, project, 'DELETE_OWN_ATTACHMENTS'));
  if (!may) throw JiraError.forbidden('You do not have permission to delete this attachment.');
  state.attachments.delete(id);
  issue.attachments = issue.attachments.filter((a) => a !== id);
  const history = recordHistory(ctx, issue, actor, [
    {
      field: 'Attachment',
      fieldtype: 'jira',
      fieldId: 'attachment',
      from: attachment.id,
      fromString: attachment.filename,
      to: null,
      toString: null,
    },
  ]);
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({ type: 'attachment_deleted', attachment, actor: actor.handle });
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_updated',
    ...(history ? { history } : {}),
  });
}
