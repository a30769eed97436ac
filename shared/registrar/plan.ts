import type { Config, Connection } from '../config/schema.ts';

/*
 * Which Jira webhooks jira-sync registers, and how. Plain data computed from the configuration: CDK puts
 * it into the custom resource's properties (so a change re-runs the registrar) and the registrar function
 * computes the same from its bundled config.
 */

/**
 * Admin webhook events (developer.atlassian.com/cloud/jira/platform/webhooks, "Available webhook events";
 * the same names on Data Center). Attachment events carry no issue on Cloud (ingest answers them 202
 * `no-issue`) but are registered so a later Jira that adds the issue is picked up without a redeploy.
 */
export const ADMIN_WEBHOOK_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
  'issuelink_created',
  'issuelink_deleted',
  'worklog_created',
  'worklog_updated',
  'worklog_deleted',
  'attachment_created',
  'attachment_deleted',
] as const;

/**
 * Dynamic (OAuth app) webhooks accept only issue, comment, issue property, sprint and version events
 * (`WebhookDetails.events` in the platform OpenAPI): link, worklog and attachment changes reach the sync
 * through the `jira:issue_updated` Jira sends with them, or through the sweep.
 */
export const DYNAMIC_WEBHOOK_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
] as const;

export type RegistrationMode = 'admin' | 'dynamic';

export interface WebhookRegistration {
  readonly connectionId: string;
  readonly mode: RegistrationMode;
  readonly events: readonly string[];
  /**
   * Only issues of the projects the connection's flows use. Undefined when no flow uses the connection:
   * then nothing is registered (a webhook for every issue of the site would only cost money).
   */
  readonly jql: string | undefined;
}

/** The webhooks to register: one per connection whose `webhook.register` is set, in config order. */
export function registrationPlan(config: Pick<Config, 'connections' | 'flows'>): WebhookRegistration[] {
  return config.connections.flatMap((connection) => {
    const mode = connection.webhook.register;
    if (mode === false) return [];
    return [
      {
        connectionId: connection.id,
        mode,
        events: mode === 'admin' ? [...ADMIN_WEBHOOK_EVENTS] : [...DYNAMIC_WEBHOOK_EVENTS],
        jql: projectJql(projectsOf(config, connection.id)),
      },
    ];
  });
}

/** The connections that register webhooks (their secrets are what the registrar may read). */
export function registeringConnections(config: Pick<Config, 'connections'>): Connection[] {
  return config.connections.filter((c) => c.webhook.register !== false);
}

/** Project keys (upper case, sorted, distinct) that flows use on this connection, on either side. */
export function projectsOf(config: Pick<Config, 'flows'>, connectionId: string): string[] {
  const keys = new Set<string>();
  for (const flow of config.flows) {
    for (const side of [flow.source, flow.target]) {
      if (side.connection === connectionId) keys.add(side.project.toUpperCase());
    }
  }
  return [...keys].sort();
}

/**
 * `project IN ("A", "B")`: the one filter shape both admin webhooks and dynamic webhooks (which allow only
 * `project`, `issueKey`, `issuetype`, `status`, `assignee`, `reporter`, `issue.property` and `=`/`IN`) take.
 */
export function projectJql(projects: readonly string[]): string | undefined {
  if (projects.length === 0) return undefined;
  return `project IN (${projects.map((p) => JSON.stringify(p)).join(', ')})`;
}

/** Display name of the admin webhook jira-sync manages for a connection. */
export function webhookName(connectionId: string): string {
  return `jira-sync ${connectionId}`;
}

/** `<api url>/webhooks/<connection id>`; `apiUrl` is the stage URL (with or without its trailing slash). */
export function webhookUrl(apiUrl: string, connectionId: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(connectionId)}`;
}
