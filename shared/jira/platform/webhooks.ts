import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { collect, platformPages } from '../paging.ts';
import { jiraPath } from '../request.ts';
import { idSchema, platformPaging } from '../schemas.ts';

/*
 * Admin webhooks (`/rest/webhooks/1.0/webhook`, Cloud and Data Center, need Jira admin; not in any OpenAPI
 * file) serve API-token and Data Center setups. Dynamic webhooks (`/rest/api/2/webhook`) are for OAuth 2.0
 * apps only: they expire after 30 days unless refreshed, need a JQL filter, and cannot be signed.
 */

const JQL_FILTER = 'issue-related-events-section';

const adminWebhookAnswerSchema = z.looseObject({
  self: z.string(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()).default([]),
  filters: z.record(z.string(), z.string()).optional(),
  excludeBody: z.boolean().optional(),
  enabled: z.boolean().optional(),
});

export interface AdminWebhook {
  /** Parsed from `self` (…/webhook/{id}): the answer carries no id field. */
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly jql: string | undefined;
  readonly enabled: boolean | undefined;
}

function toAdminWebhook(answer: z.infer<typeof adminWebhookAnswerSchema>): AdminWebhook {
  return {
    id: /\/webhook\/(\d+)\/?$/.exec(answer.self)?.[1] ?? answer.self,
    name: answer.name,
    url: answer.url,
    events: answer.events,
    jql: answer.filters?.[JQL_FILTER] || undefined,
    enabled: answer.enabled,
  };
}

export interface AdminWebhookInput {
  readonly name: string;
  readonly url: string;
  /** e.g. `jira:issue_created`, `comment_created`. */
  readonly events: readonly string[];
  /** Only issues matching this JQL. */
  readonly jql?: string;
  readonly excludeBody?: boolean;
  /** Cloud: Jira signs each delivery with it (`X-Hub-Signature`). Data Center cannot sign. */
  readonly secret?: string;
}

function adminBody(input: AdminWebhookInput) {
  return {
    name: input.name,
    url: input.url,
    events: input.events,
    filters: { [JQL_FILTER]: input.jql ?? '' },
    excludeBody: input.excludeBody ?? false,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
  };
}

export async function listAdminWebhooks(client: JiraClient): Promise<AdminWebhook[]> {
  const answer = await client.send({
    operation: 'listAdminWebhooks',
    method: 'GET',
    path: '/rest/webhooks/1.0/webhook',
    expect: z.array(adminWebhookAnswerSchema),
  });
  return answer.map(toAdminWebhook);
}

export async function createAdminWebhook(
  client: JiraClient,
  input: AdminWebhookInput,
): Promise<AdminWebhook> {
  const answer = await client.send({
    operation: 'createAdminWebhook',
    method: 'POST',
    path: '/rest/webhooks/1.0/webhook',
    json: adminBody(input),
    expect: adminWebhookAnswerSchema,
  });
  return toAdminWebhook(answer);
}

export async function updateAdminWebhook(
  client: JiraClient,
  id: string,
  input: AdminWebhookInput,
): Promise<AdminWebhook> {
  const answer = await client.send({
    operation: 'updateAdminWebhook',
    method: 'PUT',
    path: jiraPath`/rest/webhooks/1.0/webhook/${id}`,
    json: adminBody(input),
    expect: adminWebhookAnswerSchema,
  });
  return toAdminWebhook(answer);
}

export async function deleteAdminWebhook(client: JiraClient, id: string): Promise<void> {
  await client.send({
    operation: 'deleteAdminWebhook',
    method: 'DELETE',
    path: jiraPath`/rest/webhooks/1.0/webhook/${id}`,
    expect: 'nothing',
  });
}

export interface DynamicWebhookInput {
  readonly events: readonly string[];
  /** Required by Jira; only issueKey, project, issuetype, status, assignee, reporter, issue.property, cf[id]. */
  readonly jqlFilter: string;
  readonly fieldIdsFilter?: readonly string[];
}

const registrationSchema = z.looseObject({
  webhookRegistrationResult: z
    .array(z.looseObject({ createdWebhookId: idSchema.optional(), errors: z.array(z.string()).optional() }))
    .default([]),
});

export type DynamicWebhookResult = { readonly id: string } | { readonly errors: readonly string[] };

/** Registers webhooks for this OAuth app; one result per input, in order: an id or Jira's errors. */
export async function registerDynamicWebhooks(
  client: JiraClient,
  url: string,
  webhooks: readonly DynamicWebhookInput[],
): Promise<DynamicWebhookResult[]> {
  const answer = await client.send({
    operation: 'registerDynamicWebhooks',
    method: 'POST',
    path: '/rest/api/2/webhook',
    json: { url, webhooks },
    expect: registrationSchema,
  });
  return answer.webhookRegistrationResult.map((r) =>
    r.createdWebhookId !== undefined ? { id: r.createdWebhookId } : { errors: r.errors ?? [] },
  );
}

export const dynamicWebhookSchema = z.looseObject({
  id: idSchema,
  events: z.array(z.string()).default([]),
  jqlFilter: z.string().optional(),
  /** Epoch ms (Atlassian's schema) or an ISO date (its examples). */
  expirationDate: z.union([z.number(), z.string()]).optional(),
  url: z.string().optional(),
});
export type DynamicWebhook = z.infer<typeof dynamicWebhookSchema>;

const dynamicPageSchema = z.looseObject({
  ...platformPaging,
  values: z.array(dynamicWebhookSchema).default([]),
});

export function listDynamicWebhooks(client: JiraClient): Promise<DynamicWebhook[]> {
  return collect(
    platformPages(async (startAt) => {
      const page = await client.send({
        operation: 'getDynamicWebhooksForApp',
        method: 'GET',
        path: '/rest/api/2/webhook',
        query: { startAt, maxResults: 100 },
        expect: dynamicPageSchema,
      });
      return { ...page, items: page.values };
    }),
  );
}

const refreshSchema = z.looseObject({ expirationDate: z.union([z.number(), z.string()]) });

/** Extends the webhooks' life (another 30 days); answers the new expiration date. */
export async function refreshDynamicWebhooks(
  client: JiraClient,
  ids: readonly string[],
): Promise<number | string> {
  const answer = await client.send({
    operation: 'refreshWebhooks',
    method: 'PUT',
    path: '/rest/api/2/webhook/refresh',
    json: { webhookIds: ids.map(Number) },
    expect: refreshSchema,
  });
  return answer.expirationDate;
}

export async function deleteDynamicWebhooks(client: JiraClient, ids: readonly string[]): Promise<void> {
  await client.send({
    operation: 'deleteWebhookById',
    method: 'DELETE',
    path: '/rest/api/2/webhook',
    json: { webhookIds: ids.map(Number) },
    expect: 'nothing',
  });
}
