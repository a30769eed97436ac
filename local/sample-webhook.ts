import type { Connection } from '../shared/config/schema.ts';
import { signBody } from '../shared/webhook/signature.ts';
import { parseWebhookSecret } from '../shared/webhook/webhook-secret.ts';

/**
 * A small but real-shaped `jira:issue_updated` admin webhook body (REST v2 representation, as Jira sends
 * it) for the banner's test curl. The acting user is not the connection's integration account, so ingest
 * does not drop it as the sync's own echo.
 */
export function sampleIssueUpdated(connection: Connection, now: Date = new Date()): string {
  const base = connection.baseUrl.replace(/\/+$/, '');
  const user =
    connection.flavor === 'cloud'
      ? {
          self: `${base}/rest/api/2/user?accountId=557058:f58131cb-b67d-43c7-b30d-6b58d40bd077`,
          accountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077',
          displayName: 'Alana Grant',
          active: true,
          accountType: 'atlassian',
        }
      : {
          self: `${base}/rest/api/2/user?username=agrant`,
          name: 'agrant',
          key: 'JIRAUSER10100',
          displayName: 'Alana Grant',
          active: true,
        };
  const body = {
    timestamp: now.getTime(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user,
    issue: {
      id: '10001',
      self: `${base}/rest/api/2/issue/10001`,
      key: 'DEMO-1',
      fields: {
        summary: 'Printer on floor 3 is jammed',
        updated: now.toISOString().replace('Z', '+0000'),
        issuetype: { id: '10001', name: 'Task' },
        project: { id: '10000', key: 'DEMO', name: 'Demo' },
        status: { id: '3', name: 'In Progress', statusCategory: { id: 4, key: 'indeterminate' } },
      },
    },
    changelog: {
      id: '10100',
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          fieldId: 'status',
          from: '1',
          fromString: 'To Do',
          to: '3',
          toString: 'In Progress',
        },
      ],
    },
  };
  return JSON.stringify(body);
}

/** The `X-Hub-Signature` value Jira sends for a webhook with a secret: `sha256=<hex HMAC of the raw body>`. */
export function hubSignature(secret: string, body: string): string {
  return signBody('sha256', secret, Buffer.from(body, 'utf8'));
}

/** The value Jira should be configured with: the current one while a rotation is under way. */
export function currentWebhookSecret(stored: string): string {
  try {
    return parseWebhookSecret(stored)[0] ?? stored;
  } catch {
    return stored;
  }
}
