import { createHmac } from 'node:crypto';
import type { DomainEvent } from '../model/events.ts';
import { indexDoc } from '../model/ops-context.ts';
import type { RenderContext } from '../model/render.ts';
import type { Issue } from '../model/types.ts';
import type { DeliveryRequest, WebhookDispatcher } from './dispatcher.ts';
import { automationIssueJson, fillSmartValues, type Payload, renderPayload } from './payloads.ts';
import type { WebhookRegistry } from './registry.ts';

/**
 * Turns domain events into deliveries: one rendered payload per event (links against the site URL),
 * then one delivery per matching admin webhook, per dynamic-webhook URL (with `matchedWebhookIds`) and
 * per Automation rule, each with the headers its kind carries.
 */

export interface EmitterOptions {
  readonly render: () => RenderContext;
  readonly now: () => number;
  readonly registry: WebhookRegistry;
  readonly dispatcher: WebhookDispatcher;
  /** A fresh X-Atlassian-Webhook-Identifier (unique per site). */
  readonly nextIdentifier: () => string;
  readonly nextChangelogId: () => string;
  readonly timeoutMs: number;
}

const CLOUD_AGENT = 'Atlassian Webhook HTTP Client';
const DC_AGENT = 'Atlassian HttpClient 4.4.1 / JIRA-9.12.15 (9120015) / Default';
const AUTOMATION_AGENT =
  'Automation for Jira AC app/1.0;+https://www.atlassian.com/software/jira/features/automation';
/** Automation waits ~5 s to connect and 20 s for the answer, then gives up (it does not retry). */
const AUTOMATION_TIMEOUT_MS = 20_000;

function matches(
  predicate: ((d: ReturnType<typeof indexDoc>) => boolean) | undefined,
  issue: Issue | undefined,
): boolean {
  if (!predicate) return true;
  // Issue-link events carry no issue: Jira applies no JQL to them.
  if (!issue) return true;
  return predicate(indexDoc(issue));
}

export class WebhookEmitter {
  constructor(private readonly options: EmitterOptions) {}

  handle(event: DomainEvent): void {
    const ctx = this.options.render();
    const cloud = ctx.state.flavour === 'cloud';
    const payload = renderPayload(ctx, event, this.options.now(), this.options.nextChangelogId);
    if (payload) {
      this.admin(payload, cloud);
      if (cloud) this.dynamic(payload);
    }
    this.automation(ctx, event, payload);
  }

  private baseHeaders(cloud: boolean): Record<string, string> {
    return {
      'Content-Type': 'application/json; charset=UTF-8',
      'User-Agent': cloud ? CLOUD_AGENT : DC_AGENT,
    };
  }

  private submit(request: Omit<DeliveryRequest, 'identifier' | 'timeoutMs'>, cloud: boolean): void {
    const identifier = cloud ? this.options.nextIdentifier() : undefined;
    const headers = { ...request.headers };
    if (identifier) {
      headers['X-Atlassian-Webhook-Identifier'] = identifier;
      headers['X-Atlassian-Webhook-Flow'] = 'Primary';
    }
    this.options.dispatcher.submit({
      ...request,
      headers,
      ...(identifier ? { identifier } : {}),
      timeoutMs: this.options.timeoutMs,
    });
  }

  private admin(payload: Payload, cloud: boolean): void {
    const body = Buffer.from(JSON.stringify(payload.body), 'utf8');
    for (const webhook of this.options.registry.admin.values()) {
      if (!webhook.enabled || !webhook.events.includes(payload.webhookEvent)) continue;
      if (!matches(webhook.match, payload.issue)) continue;
      const sent = webhook.excludeBody ? Buffer.alloc(0) : body;
      const headers = this.baseHeaders(cloud);
      if (webhook.secret)
        headers['X-Hub-Signature'] =
          `sha256=${createHmac('sha256', webhook.secret).update(sent).digest('hex')}`;
      this.submit(
        {
          url: webhook.url,
          headers,
          body: sent,
          event: payload.webhookEvent,
          target: { kind: 'admin', id: webhook.id },
          // Data Center does not retry webhooks.
          retries: cloud,
          ...(payload.issue ? { issueId: payload.issue.id } : {}),
        },
        cloud,
      );
    }
  }

  private dynamic(payload: Payload): void {
    const now = this.options.now();
    const byUrl = new Map<string, number[]>();
    for (const webhook of this.options.registry.dynamic.values()) {
      if (webhook.expirationDate <= now || !webhook.events.includes(payload.webhookEvent)) continue;
      if (!payload.issue || !webhook.match(indexDoc(payload.issue))) continue;
      if (webhook.fieldIdsFilter && payload.webhookEvent === 'jira:issue_updated') {
        if (!(payload.changedFieldIds ?? []).some((f) => webhook.fieldIdsFilter?.includes(f))) continue;
      }
      if (webhook.issuePropertyKeysFilter && payload.propertyKey !== undefined) {
        if (!webhook.issuePropertyKeysFilter.includes(payload.propertyKey)) continue;
      }
      byUrl.set(webhook.url, [...(byUrl.get(webhook.url) ?? []), webhook.id]);
    }
    for (const [url, ids] of byUrl) {
      const body = Buffer.from(JSON.stringify({ ...payload.body, matchedWebhookIds: ids }), 'utf8');
      this.submit(
        {
          url,
          headers: this.baseHeaders(true),
          body,
          event: payload.webhookEvent,
          target: { kind: 'dynamic', id: ids[0] ?? 0 },
          retries: true,
          ...(payload.issue ? { issueId: payload.issue.id } : {}),
        },
        true,
      );
    }
  }

  private automation(ctx: RenderContext, event: DomainEvent, payload: Payload | undefined): void {
    if (!('issue' in event) || this.options.registry.automation.size === 0) return;
    const issue = event.issue;
    const webhookEvent = payload?.webhookEvent ?? event.type;
    const transitioned = event.type === 'issue_updated' && event.eventTypeName === 'issue_generic';
    for (const rule of this.options.registry.automation.values()) {
      const triggered =
        rule.events.includes(webhookEvent) || (transitioned && rule.events.includes('issue_transitioned'));
      if (!triggered || !matches(rule.match, issue)) continue;
      let text: string;
      if (rule.body === 'automation') text = JSON.stringify(automationIssueJson(ctx, issue));
      else if (rule.body === 'jira') text = JSON.stringify({ issue: automationIssueJson(ctx, issue) });
      else text = fillSmartValues(rule.body.custom, ctx, issue, event.actor, webhookEvent);
      this.options.dispatcher.submit({
        url: rule.url,
        headers: {
          'Content-Type':
            rule.contentType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
          'User-Agent': AUTOMATION_AGENT,
          ...rule.headers,
        },
        body: Buffer.from(text, 'utf8'),
        event: webhookEvent,
        target: { kind: 'automation', id: rule.id },
        retries: false,
        timeoutMs: AUTOMATION_TIMEOUT_MS,
        issueId: issue.id,
      });
    }
  }
}
