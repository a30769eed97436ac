import * as z from 'zod';

/**
 * Loose schemas of the Jira webhook payloads jira-sync reads (REST v2 representation). Atlassian adds fields
 * freely, so unknown keys pass through; only what normalisation uses is checked. Ids arrive as strings in
 * Jira's payloads and as numbers in some Automation templates, so both are accepted and kept as text.
 */

const idLike = z.union([z.string(), z.number().int().nonnegative()]).transform(String);

export const userSchema = z.looseObject({
  accountId: z.string().optional(),
  /** Data Center / Server username. */
  name: z.string().optional(),
  key: z.string().optional(),
});

export const issueSchema = z.looseObject({
  id: idLike.optional(),
  key: z.string().optional(),
  self: z.string().optional(),
});

const changelogSchema = z.looseObject({
  items: z.array(z.looseObject({ field: z.string().optional(), fieldId: z.string().optional() })).optional(),
});

const withAuthors = z.looseObject({
  id: idLike.optional(),
  self: z.string().optional(),
  author: userSchema.optional(),
  updateAuthor: userSchema.optional(),
});

export const jiraWebhookSchema = z.looseObject({
  webhookEvent: z.string().max(100),
  issue_event_type_name: z.string().max(100).optional(),
  timestamp: z.number().int().nonnegative().optional(),
  user: userSchema.optional(),
  issue: issueSchema.optional(),
  changelog: changelogSchema.optional(),
  comment: withAuthors.optional(),
  attachment: withAuthors.extend({ issueId: idLike.optional() }).optional(),
  worklog: withAuthors.extend({ issueId: idLike.optional() }).optional(),
  issueLink: z
    .looseObject({
      id: idLike.optional(),
      sourceIssueId: idLike.optional(),
      destinationIssueId: idLike.optional(),
    })
    .optional(),
  property: z.looseObject({ key: z.string().optional() }).optional(),
});

export type JiraWebhook = z.infer<typeof jiraWebhookSchema>;
export type JiraUser = z.infer<typeof userSchema>;

/**
 * Jira Automation "Send web request" bodies without `webhookEvent`: "Issue data (Jira format)" and
 * "(Automation format)" carry an `issue` object; custom bodies name the issue as `issueId` / `issueKey`
 * (or `issue.id` / `issue.key`).
 */
export const automationBodySchema = z.looseObject({
  issue: issueSchema.optional(),
  issueId: idLike.optional(),
  issueKey: z.string().optional(),
  id: idLike.optional(),
  key: z.string().optional(),
  user: userSchema.optional(),
  timestamp: z.number().int().nonnegative().optional(),
});

export type AutomationBody = z.infer<typeof automationBodySchema>;
