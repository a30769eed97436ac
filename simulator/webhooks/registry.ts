import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { compileJql } from '../jql.ts';
import type { SiteState } from '../model/state.ts';
import type { IndexedIssue } from '../model/types.ts';

/**
 * The three ways a site calls out: admin webhooks (`/rest/webhooks/1.0/webhook`, optional secret on
 * Cloud), dynamic webhooks of OAuth apps (`/rest/api/{2,3}/webhook`, JQL filter required, 30-day expiry)
 * and Jira Automation "Send web request" rules (custom headers and body, no retries).
 */

export const ADMIN_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
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
] as const;

export const DYNAMIC_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
  'issue_property_set',
  'issue_property_deleted',
] as const;

export const adminWebhookInputSchema = z.looseObject({
  name: z.string().min(1).max(255),
  url: z.url({ protocol: /^https?$/ }),
  events: z.array(z.enum(ADMIN_EVENTS)).default([]),
  filters: z.looseObject({ 'issue-related-events-section': z.string().optional() }).optional(),
  excludeBody: z.boolean().default(false),
  /** Cloud only: Jira signs deliveries with it (X-Hub-Signature). Data Center ignores it. */
  secret: z.string().min(1).max(255).optional(),
  enabled: z.boolean().default(true),
  description: z.string().optional(),
});
export type AdminWebhookInput = z.input<typeof adminWebhookInputSchema>;

export const automationRuleInputSchema = z.strictObject({
  name: z.string().min(1),
  /** Webhook event names, or `issue_transitioned` for transitions only. */
  events: z.array(z.string().min(1)).min(1),
  jql: z.string().optional(),
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  /** "Issue data (Jira format)" = `jira`, "(Automation format)" = `automation`, or a custom template. */
  body: z
    .union([z.enum(['jira', 'automation']), z.strictObject({ custom: z.string() })])
    .default('automation'),
  contentType: z.enum(['json', 'form']).default('json'),
});
export type AutomationRuleInput = z.input<typeof automationRuleInputSchema>;

type Predicate = (doc: IndexedIssue) => boolean;

export interface AdminWebhook {
  readonly id: number;
  name: string;
  url: string;
  events: string[];
  jql?: string;
  match?: Predicate;
  excludeBody: boolean;
  secret?: string;
  enabled: boolean;
  description: string;
  lastUpdatedUser: string;
  lastUpdated: number;
}

export interface DynamicWebhook {
  readonly id: number;
  /** The OAuth client that registered it (webhooks belong to the app, per user). */
  readonly appId: string;
  readonly owner: string;
  readonly url: string;
  readonly events: string[];
  readonly jqlFilter: string;
  readonly match: Predicate;
  readonly fieldIdsFilter?: string[];
  readonly issuePropertyKeysFilter?: string[];
  expirationDate: number;
}

export interface AutomationRule {
  readonly id: number;
  readonly name: string;
  readonly events: readonly string[];
  readonly match?: Predicate;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: 'jira' | 'automation' | { readonly custom: string };
  readonly contentType: 'json' | 'form';
}

export const DYNAMIC_WEBHOOK_LIFETIME_MS = 30 * 24 * 3600 * 1000;
const MAX_DYNAMIC_PER_APP = 100;

export class WebhookRegistry {
  readonly admin = new Map<number, AdminWebhook>();
  readonly dynamic = new Map<number, DynamicWebhook>();
  readonly automation = new Map<number, AutomationRule>();
  private nextId = 1;

  constructor(
    private readonly state: SiteState,
    private readonly now: () => number,
  ) {}

  private compile(jql: string | undefined, restricted: boolean): Predicate | undefined {
    if (jql === undefined || jql.trim() === '') return undefined;
    return compileJql(jql, { state: this.state, now: this.now(), restricted }).match;
  }

  saveAdmin(
    input: z.output<typeof adminWebhookInputSchema>,
    by: string,
    existing?: AdminWebhook,
  ): AdminWebhook {
    const jql = input.filters?.['issue-related-events-section'];
    const match = this.compile(jql, false);
    const webhook: AdminWebhook = {
      id: existing?.id ?? this.nextId++,
      name: input.name,
      url: input.url,
      events: [...input.events],
      ...(jql ? { jql } : {}),
      ...(match ? { match } : {}),
      excludeBody: input.excludeBody,
      ...(input.secret && this.state.flavour === 'cloud' ? { secret: input.secret } : {}),
      enabled: input.enabled,
      description: input.description ?? '',
      lastUpdatedUser: by,
      lastUpdated: this.now(),
    };
    this.admin.set(webhook.id, webhook);
    return webhook;
  }

  registerDynamic(
    appId: string,
    owner: string,
    url: string,
    details: {
      events: string[];
      jqlFilter: string;
      fieldIdsFilter?: string[];
      issuePropertyKeysFilter?: string[];
    },
  ): { createdWebhookId: number } | { errors: string[] } {
    const errors: string[] = [];
    const unsupported = details.events.filter((e) => !(DYNAMIC_EVENTS as readonly string[]).includes(e));
    if (unsupported.length > 0)
      errors.push(`Events not supported by dynamic webhooks: ${unsupported.join(', ')}`);
    if ([...this.dynamic.values()].filter((w) => w.appId === appId).length >= MAX_DYNAMIC_PER_APP) {
      errors.push('The app has reached the maximum number of webhooks.');
    }
    let match: Predicate | undefined;
    try {
      match = compileJql(details.jqlFilter, { state: this.state, now: this.now(), restricted: true }).match;
    } catch (e) {
      errors.push(e instanceof JiraError ? e.errorMessages.join(' ') : 'The JQL filter is invalid.');
    }
    if (errors.length > 0 || !match) return { errors };
    const webhook: DynamicWebhook = {
      id: this.nextId++,
      appId,
      owner,
      url,
      events: [...details.events],
      jqlFilter: details.jqlFilter,
      match,
      ...(details.fieldIdsFilter ? { fieldIdsFilter: [...details.fieldIdsFilter] } : {}),
      ...(details.issuePropertyKeysFilter
        ? { issuePropertyKeysFilter: [...details.issuePropertyKeysFilter] }
        : {}),
      expirationDate: this.now() + DYNAMIC_WEBHOOK_LIFETIME_MS,
    };
    this.dynamic.set(webhook.id, webhook);
    return { createdWebhookId: webhook.id };
  }

  addAutomation(input: z.output<typeof automationRuleInputSchema>): AutomationRule {
    const match = this.compile(input.jql, false);
    const rule: AutomationRule = {
      id: this.nextId++,
      name: input.name,
      events: [...input.events],
      ...(match ? { match } : {}),
      url: input.url,
      headers: { ...input.headers },
      body: input.body,
      contentType: input.contentType,
    };
    this.automation.set(rule.id, rule);
    return rule;
  }
}
