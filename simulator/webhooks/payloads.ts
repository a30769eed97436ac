import type { DomainEvent } from '../model/events.ts';
import {
  changeItemJson,
  commentJson,
  issueJson,
  issueTypeJson,
  priorityJson,
  projectRefJson,
  type RenderContext,
  statusJson,
  userByHandle,
  userJson,
  worklogJson,
} from '../model/render.ts';
import type { Issue } from '../model/types.ts';

/**
 * Webhook bodies as Jira sends them (see test/fixtures/webhooks): REST v2 representation; Cloud sends a
 * changelog on create, Data Center does not and leaves `fieldId` out of changelog items; comment events
 * carry a trimmed issue on Cloud and no issue on Data Center; issue-link events only ids (as numbers);
 * attachment events no issue at all (and Data Center sends none).
 */

type Json = Record<string, unknown>;

export interface Payload {
  readonly webhookEvent: string;
  /** The issue the event concerns (for JQL filters); undefined for issue links. */
  readonly issue?: Issue;
  readonly body: Json;
  /** Changed field ids, for dynamic webhooks' `fieldIdsFilter`. */
  readonly changedFieldIds?: readonly string[];
  readonly propertyKey?: string;
}

function trimmedIssue(ctx: RenderContext, issue: Issue): Json {
  const { state } = ctx;
  const type = state.issueTypes.get(issue.issueTypeId);
  const status = state.statuses.get(issue.statusId);
  const priority = issue.priorityId === null ? undefined : state.priorities.get(issue.priorityId);
  return {
    id: issue.id,
    self: `${ctx.base}/rest/api/2/issue/${issue.id}`,
    key: issue.key,
    fields: {
      summary: issue.summary,
      issuetype: type ? issueTypeJson(ctx, type) : null,
      project: projectRefJson(ctx, state.projectOf(issue)),
      assignee: userByHandle(ctx, issue.assignee),
      priority: priority ? priorityJson(ctx, priority) : null,
      status: status ? statusJson(ctx, status) : null,
    },
  };
}

function actorJson(ctx: RenderContext, handle: string): Json | undefined {
  const user = ctx.state.users.get(handle);
  return user ? userJson(ctx, user) : undefined;
}

/** Renders an event for admin and dynamic webhooks; undefined when this flavour sends no such event. */
export function renderPayload(
  ctx: RenderContext,
  event: DomainEvent,
  timestamp: number,
  changelogId: () => string,
): Payload | undefined {
  const cloud = ctx.state.flavour === 'cloud';
  const webhook = { webhook: true, flavour: ctx.state.flavour } as const;
  switch (event.type) {
    case 'issue_created': {
      const body: Json = {
        timestamp,
        webhookEvent: 'jira:issue_created',
        issue_event_type_name: 'issue_created',
        user: actorJson(ctx, event.actor),
        issue: issueJson(ctx, event.issue),
      };
      if (cloud)
        body.changelog = { id: changelogId(), items: event.items.map((i) => changeItemJson(i, webhook)) };
      return { webhookEvent: 'jira:issue_created', issue: event.issue, body };
    }
    case 'issue_updated': {
      const body: Json = {
        timestamp,
        webhookEvent: 'jira:issue_updated',
        issue_event_type_name: event.eventTypeName,
        user: actorJson(ctx, event.actor),
        issue: issueJson(ctx, event.issue),
      };
      if (event.history) {
        body.changelog = {
          id: event.history.id,
          items: event.history.items.map((i) => changeItemJson(i, webhook)),
        };
      }
      if (event.comment) body.comment = commentJson(ctx, event.comment);
      return {
        webhookEvent: 'jira:issue_updated',
        issue: event.issue,
        body,
        changedFieldIds: event.history?.items.flatMap((i) => (i.fieldId ? [i.fieldId] : [])) ?? [],
      };
    }
    case 'issue_deleted':
      return {
        webhookEvent: 'jira:issue_deleted',
        issue: event.issue,
        body: {
          timestamp,
          webhookEvent: 'jira:issue_deleted',
          issue_event_type_name: 'issue_deleted',
          user: actorJson(ctx, event.actor),
          issue: issueJson(ctx, event.issue),
        },
      };
    case 'comment_created':
    case 'comment_updated':
    case 'comment_deleted': {
      const body: Json = { timestamp, webhookEvent: event.type, comment: commentJson(ctx, event.comment) };
      if (cloud) body.issue = trimmedIssue(ctx, event.issue);
      return { webhookEvent: event.type, issue: event.issue, body };
    }
    case 'attachment_created':
    case 'attachment_deleted': {
      if (!cloud) return undefined;
      const a = event.attachment;
      const issue = ctx.state.issues.get(a.issueId);
      return {
        webhookEvent: event.type,
        ...(issue ? { issue } : {}),
        body: {
          timestamp,
          webhookEvent: event.type,
          attachment: {
            self: `${ctx.base}/rest/api/2/attachment/${a.id}`,
            id: a.id,
            filename: a.filename,
            author: userByHandle(ctx, a.author),
            created: new Date(a.created).toISOString().replace('Z', '+0000'),
            size: a.content.length,
            mimeType: a.mimeType,
            content: `${ctx.base}/secure/attachment/${a.id}/${encodeURIComponent(a.filename)}`,
          },
        },
      };
    }
    case 'issuelink_created':
    case 'issuelink_deleted': {
      const type = ctx.state.linkTypes.get(event.link.typeId);
      return {
        webhookEvent: event.type,
        body: {
          timestamp,
          webhookEvent: event.type,
          issueLink: {
            id: Number(event.link.id),
            sourceIssueId: Number(event.link.sourceId),
            destinationIssueId: Number(event.link.destinationId),
            issueLinkType: {
              id: Number(type?.id ?? 0),
              name: type?.name ?? '',
              outwardName: type?.outward ?? '',
              inwardName: type?.inward ?? '',
              isSubTaskLinkType: false,
              isSystemLinkType: false,
            },
            systemLink: false,
          },
        },
      };
    }
    case 'worklog_created':
    case 'worklog_updated':
    case 'worklog_deleted': {
      const body: Json = { timestamp, webhookEvent: event.type, worklog: worklogJson(ctx, event.worklog) };
      if (cloud && event.type !== 'worklog_updated') body.isFromIssueLimitTransformation = false;
      return { webhookEvent: event.type, issue: event.issue, body };
    }
    case 'issue_property_set':
    case 'issue_property_deleted':
      return {
        webhookEvent: event.type,
        issue: event.issue,
        propertyKey: event.key,
        body: {
          timestamp,
          webhookEvent: event.type,
          property: {
            key: event.key,
            ...(event.type === 'issue_property_set' ? { value: event.value } : {}),
          },
          issue: {
            id: event.issue.id,
            self: `${ctx.base}/rest/api/2/issue/${event.issue.id}`,
            key: event.issue.key,
          },
        },
      };
  }
}

/** Jira Automation's "Issue data (Automation format)": the issue itself, numeric ids, a changelog stub. */
export function automationIssueJson(ctx: RenderContext, issue: Issue): Json {
  const rendered = issueJson(ctx, issue);
  return {
    self: rendered.self,
    id: Number(issue.id),
    key: issue.key,
    changelog: { startAt: 0, maxResults: 0, total: 0, histories: null },
    fields: rendered.fields,
  };
}

/** Fills `{{issue.id}}`-style smart values of a custom Automation body. */
export function fillSmartValues(
  template: string,
  ctx: RenderContext,
  issue: Issue,
  actor: string,
  webhookEvent: string,
): string {
  const user = ctx.state.users.get(actor);
  const status = ctx.state.statuses.get(issue.statusId);
  const values: Record<string, string> = {
    'issue.id': issue.id,
    'issue.key': issue.key,
    'issue.summary': issue.summary,
    'issue.status.name': status?.name ?? '',
    'issue.project.key': ctx.state.projectOf(issue).key,
    'initiator.accountId': user?.accountId ?? '',
    'initiator.name': user?.name ?? '',
    'initiator.displayName': user?.displayName ?? '',
    webhookEvent,
  };
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}
