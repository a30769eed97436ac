import * as z from 'zod';
import { connectionIdSchema } from '../config/schema.ts';

/**
 * The small message that travels on the queue. It only says "issue X on connection C changed": the worker
 * reads the issue's current state from Jira (level-triggered), so the event never carries whole payloads.
 */

export const syncEventKinds = [
  'issue_created',
  'issue_updated',
  'issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
  'attachment_created',
  'attachment_deleted',
  'issuelink_created',
  'issuelink_deleted',
  'worklog_created',
  'worklog_updated',
  'worklog_deleted',
  'issue_property_set',
  'issue_property_deleted',
  /** Jira Automation "Send web request" or any other custom body that names an issue. */
  'automation',
  /** A Jira event about an issue that jira-sync has no special meaning for; still worth a reconcile. */
  'other',
  /** Found by the scheduled sweep (a missed webhook, or a site that sends none) or a backfill. */
  'sweep',
] as const;

export const issueIdSchema = z.string().regex(/^\d{1,18}$/, 'a numeric Jira issue id');
export const issueKeySchema = z
  .string()
  .max(255)
  .regex(/^[A-Za-z][A-Za-z0-9_]*-\d{1,18}$/, 'a Jira issue key such as ENG-12');

export const issueRefSchema = z
  .strictObject({
    id: issueIdSchema.optional(),
    /** Only a hint: moving an issue changes its key, never its id. */
    key: issueKeySchema.optional(),
  })
  .refine((r) => r.id !== undefined || r.key !== undefined, { message: 'an issue id or key is needed' });

export const actorSchema = z.strictObject({
  accountId: z.string().min(1).max(128).optional(),
  username: z.string().min(1).max(255).optional(),
});

export const syncEventSchema = z.strictObject({
  v: z.literal(1),
  connectionId: connectionIdSchema,
  issue: issueRefSchema,
  kind: z.enum(syncEventKinds),
  /** Jira's own event name, kept for logs and metrics (`jira:issue_updated`, `comment_created`, …). */
  webhookEvent: z.string().max(100).optional(),
  /** Jira's `issue_event_type_name` (`issue_assigned`, `issue_commented`, …) when present. */
  eventTypeName: z.string().max(100).optional(),
  actor: actorSchema.optional(),
  /** Jira's `timestamp` (ms since epoch) when the payload has one. */
  jiraTimestamp: z.number().int().nonnegative().optional(),
  /** `X-Atlassian-Webhook-Identifier`, else `sha256:<hash of the body>`: stable across Jira's retries. */
  webhookId: z.string().min(1).max(128),
  retry: z.number().int().nonnegative(),
  flow: z.enum(['Primary', 'Secondary']).optional(),
  receivedAt: z.number().int().nonnegative(),
  commentId: z.string().max(64).optional(),
  attachmentId: z.string().max(64).optional(),
  worklogId: z.string().max(64).optional(),
  issueLinkId: z.string().max(64).optional(),
  /** Field names from the changelog, a hint for the worker; bounded so events stay small. */
  changedFields: z.array(z.string().max(255)).max(50).optional(),
});

export type SyncEvent = z.infer<typeof syncEventSchema>;
export type SyncEventKind = SyncEvent['kind'];
export type IssueRef = SyncEvent['issue'];
export type Actor = z.infer<typeof actorSchema>;

/** FIFO group: events of one issue stay ordered and are never processed concurrently. */
export function messageGroupId(event: Pick<SyncEvent, 'connectionId' | 'issue'>): string {
  const ref = event.issue.id ?? `key:${event.issue.key ?? ''}`;
  return `${event.connectionId}:${ref}`;
}
