import { createHash } from 'node:crypto';
import { WebhookRejected } from './errors.ts';
import {
  type AutomationBody,
  automationBodySchema,
  type JiraUser,
  type JiraWebhook,
  jiraWebhookSchema,
} from './payload.ts';
import {
  type Actor,
  type IssueRef,
  issueIdSchema,
  issueKeySchema,
  type SyncEvent,
  type SyncEventKind,
} from './sync-event.ts';

/** What the ingest knows about the delivery besides the body. */
export interface DeliveryMeta {
  readonly connectionId: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  readonly receivedAt: number;
}

export type Normalised =
  | { readonly type: 'events'; readonly events: readonly SyncEvent[] }
  /** A valid Jira event that concerns no issue (project, version, user, sprint …): counted, not queued. */
  | { readonly type: 'no-issue'; readonly webhookEvent: string };

// A Map, not an object: `webhookEvent` is untrusted, and `toString` or `__proto__` must not find anything.
const KIND_BY_EVENT: ReadonlyMap<string, SyncEventKind> = new Map<string, SyncEventKind>(
  Object.entries({
    'jira:issue_created': 'issue_created',
    'jira:issue_updated': 'issue_updated',
    'jira:issue_deleted': 'issue_deleted',
    comment_created: 'comment_created',
    comment_updated: 'comment_updated',
    comment_deleted: 'comment_deleted',
    attachment_created: 'attachment_created',
    attachment_deleted: 'attachment_deleted',
    issuelink_created: 'issuelink_created',
    issuelink_deleted: 'issuelink_deleted',
    worklog_created: 'worklog_created',
    worklog_updated: 'worklog_updated',
    worklog_deleted: 'worklog_deleted',
    issue_property_set: 'issue_property_set',
    issue_property_deleted: 'issue_property_deleted',
  }),
);

const WEBHOOK_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const MAX_CHANGED_FIELDS = 50;

/** The idempotency key of a delivery: Atlassian's identifier (stable across retries), else a body hash. */
export function webhookIdentifier(headers: DeliveryMeta['headers'], body: Uint8Array): string {
  const header = headers['x-atlassian-webhook-identifier']?.trim();
  if (header && WEBHOOK_ID.test(header)) return header;
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

function retryCount(headers: DeliveryMeta['headers']): number {
  const raw = headers['x-atlassian-webhook-retry'];
  if (raw === undefined || !/^\d{1,4}$/.test(raw.trim())) return 0;
  return Number(raw.trim());
}

function flowHeader(headers: DeliveryMeta['headers']): SyncEvent['flow'] {
  const raw = headers['x-atlassian-webhook-flow']?.trim();
  return raw === 'Primary' || raw === 'Secondary' ? raw : undefined;
}

function toActor(user: JiraUser | undefined): Actor | undefined {
  if (!user) return undefined;
  const actor: Actor = {};
  if (user.accountId && user.accountId.length <= 128) actor.accountId = user.accountId;
  if (user.name && user.name.length <= 255) actor.username = user.name;
  return actor.accountId || actor.username ? actor : undefined;
}

function validId(value: string | undefined): string | undefined {
  return value !== undefined && issueIdSchema.safeParse(value).success ? value : undefined;
}

function validKey(value: string | undefined): string | undefined {
  return value !== undefined && issueKeySchema.safeParse(value).success ? value : undefined;
}

function issueRef(id: string | undefined, key: string | undefined): IssueRef | undefined {
  const ref: { id?: string; key?: string } = {};
  const okId = validId(id);
  const okKey = validKey(key);
  if (okId) ref.id = okId;
  if (okKey) ref.key = okKey;
  return ref.id || ref.key ? ref : undefined;
}

function changedFields(payload: JiraWebhook): string[] | undefined {
  const items = payload.changelog?.items;
  if (!items || items.length === 0) return undefined;
  const names = new Set<string>();
  for (const item of items) {
    const name = item.fieldId ?? item.field;
    if (name && name.length <= 255) names.add(name);
    if (names.size >= MAX_CHANGED_FIELDS) break;
  }
  return names.size > 0 ? [...names] : undefined;
}

/** The issue(s) a Jira event is about. Issue links touch two issues; both need a reconcile. */
function issuesOf(payload: JiraWebhook): IssueRef[] {
  if (payload.issueLink) {
    const link = payload.issueLink;
    return [issueRef(link.sourceIssueId, undefined), issueRef(link.destinationIssueId, undefined)].filter(
      (r): r is IssueRef => r !== undefined,
    );
  }
  const fromIssue = payload.issue ? issueRef(payload.issue.id, payload.issue.key) : undefined;
  if (fromIssue) return [fromIssue];
  const loose = issueRef(
    payload.worklog?.issueId ?? payload.attachment?.issueId ?? issueIdFromCommentSelf(payload.comment?.self),
    undefined,
  );
  return loose ? [loose] : [];
}

/**
 * Data Center `comment_*` events carry no issue object; the comment's own link names the issue:
 * `…/rest/api/2/issue/10412/comment/10810`. (Cloud attachment events carry no issue at all; the
 * `jira:issue_updated` event Jira sends for the same change has it, so those are counted, not queued.)
 */
function issueIdFromCommentSelf(self: string | undefined): string | undefined {
  if (!self || self.length > 2048) return undefined;
  return /\/issue\/(\d{1,18})\/comment\/\d+(?:[?#].*)?$/.exec(self)?.[1];
}

function actorOf(payload: JiraWebhook): Actor | undefined {
  return (
    toActor(payload.user) ??
    toActor(payload.comment?.updateAuthor ?? payload.comment?.author) ??
    toActor(payload.worklog?.updateAuthor ?? payload.worklog?.author) ??
    toActor(payload.attachment?.author)
  );
}

function base(
  meta: DeliveryMeta,
): Pick<SyncEvent, 'v' | 'connectionId' | 'webhookId' | 'retry' | 'receivedAt'> &
  Partial<Pick<SyncEvent, 'flow'>> {
  const flow = flowHeader(meta.headers);
  return {
    v: 1,
    connectionId: meta.connectionId,
    webhookId: webhookIdentifier(meta.headers, meta.body),
    retry: retryCount(meta.headers),
    receivedAt: meta.receivedAt,
    ...(flow ? { flow } : {}),
  };
}

function fromJiraWebhook(payload: JiraWebhook, meta: DeliveryMeta): Normalised {
  const issues = issuesOf(payload);
  if (issues.length === 0) {
    if (
      payload.issue ||
      payload.issueLink ||
      payload.worklog ||
      payload.comment ||
      payload.attachment?.issueId
    ) {
      throw new WebhookRejected(
        400,
        'invalid-issue',
        `${payload.webhookEvent} names no valid issue id or key`,
      );
    }
    return { type: 'no-issue', webhookEvent: payload.webhookEvent };
  }
  const kind = KIND_BY_EVENT.get(payload.webhookEvent) ?? 'other';
  const actor = actorOf(payload);
  const fields = changedFields(payload);
  const shared = base(meta);
  const idOf = (v: { id?: string } | undefined) => (v?.id && v.id.length <= 64 ? v.id : undefined);
  const commentId = idOf(payload.comment);
  const attachmentId = idOf(payload.attachment);
  const worklogId = idOf(payload.worklog);
  const issueLinkId = idOf(payload.issueLink);
  return {
    type: 'events',
    events: issues.map((issue) => ({
      ...shared,
      issue,
      kind,
      webhookEvent: payload.webhookEvent,
      ...(payload.issue_event_type_name ? { eventTypeName: payload.issue_event_type_name } : {}),
      ...(actor ? { actor } : {}),
      ...(payload.timestamp !== undefined ? { jiraTimestamp: payload.timestamp } : {}),
      ...(commentId ? { commentId } : {}),
      ...(attachmentId ? { attachmentId } : {}),
      ...(worklogId ? { worklogId } : {}),
      ...(issueLinkId ? { issueLinkId } : {}),
      ...(fields ? { changedFields: fields } : {}),
    })),
  };
}

function fromAutomation(body: AutomationBody, meta: DeliveryMeta): Normalised {
  const id = body.issue?.id ?? body.issueId ?? body.id;
  const key = body.issue?.key ?? body.issueKey ?? body.key;
  const issue = issueRef(id?.trim(), key?.trim());
  if (!issue) {
    throw new WebhookRejected(
      400,
      'no-issue',
      'the body names no issue: expected a Jira webhook, or an issue id/key (issue.id, issueId, issueKey)',
    );
  }
  const actor = toActor(body.user);
  return {
    type: 'events',
    events: [
      {
        ...base(meta),
        issue,
        kind: 'automation',
        ...(actor ? { actor } : {}),
        ...(body.timestamp !== undefined ? { jiraTimestamp: body.timestamp } : {}),
      },
    ],
  };
}

/**
 * Normalises any accepted body (Jira Cloud or Data Center webhook, JSM, Automation Jira/Automation format
 * or custom JSON/form) into SyncEvents. Throws `WebhookRejected` (400) with a short reason when the body
 * does not name an issue in a usable way.
 */
export function normalise(body: Record<string, unknown>, meta: DeliveryMeta): Normalised {
  if ('webhookEvent' in body) {
    const parsed = jiraWebhookSchema.safeParse(body);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? first.path.join('.') || '(body)' : '(body)';
      throw new WebhookRejected(400, 'invalid-payload', `unexpected webhook payload at ${where}`, {
        cause: parsed.error,
      });
    }
    return fromJiraWebhook(parsed.data, meta);
  }
  const parsed = automationBodySchema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.join('.') || '(body)' : '(body)';
    throw new WebhookRejected(400, 'invalid-payload', `unexpected value at ${where}`, {
      cause: parsed.error,
    });
  }
  return fromAutomation(parsed.data, meta);
}
