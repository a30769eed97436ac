import type { Connection } from '../../shared/config/schema.ts';
import { parseWebhookSecret } from '../../shared/webhook/webhook-secret.ts';
import type { SiteSeed, UserSeed } from '../model/seed.ts';
import type { SiteOptions } from '../site.ts';
import { ADMIN_EVENTS, type AutomationRuleInput } from '../webhooks/registry.ts';

/**
 * The simulated sites behind the demo configuration: one per connection, on the port of its `baseUrl`,
 * with the connection's integration account and credentials (from the local secrets store) and a webhook
 * pointing at the local stack's ingest, verified the way the connection says (HMAC secret, URL token or
 * an Automation rule with a bearer header).
 */

export type DemoCredentials =
  | { readonly kind: 'basic'; readonly user: string; readonly secret: string }
  | { readonly kind: 'pat'; readonly token: string };

export interface DemoSiteSpec {
  readonly connection: Connection;
  readonly options: SiteOptions;
  readonly credentials: DemoCredentials | undefined;
  readonly projectKey: string;
  /** How the site reaches the ingest: admin webhook (signed or with a URL token) or an Automation rule. */
  readonly automationRule?: AutomationRuleInput;
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The credentials jira-sync's worker will use, read from the secret the connection names. */
export function credentialsFrom(
  connection: Connection,
  secretValue: string | undefined,
): DemoCredentials | undefined {
  const json = parseJson(secretValue);
  if (!json) return undefined;
  const str = (k: string) => (typeof json[k] === 'string' ? (json[k] as string) : undefined);
  if (connection.auth.type === 'pat') {
    const token = str('token');
    return token ? { kind: 'pat', token } : undefined;
  }
  if (connection.auth.type === 'basic') {
    const user = connection.flavor === 'cloud' ? str('email') : str('username');
    const secret = connection.flavor === 'cloud' ? str('apiToken') : str('password');
    return user && secret ? { kind: 'basic', user, secret } : undefined;
  }
  return undefined;
}

function portOf(baseUrl: string): number {
  const url = new URL(baseUrl);
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

export function demoSiteSpec(
  connection: Connection,
  wiring: {
    readonly webhookUrl: string;
    /** The stored webhook secret value (plain, or the rotation JSON: the current one is used). */
    readonly webhookSecret: string | undefined;
    readonly authSecret: string | undefined;
    readonly ephemeralPorts: boolean;
  },
): DemoSiteSpec {
  const cloud = connection.flavor === 'cloud';
  const credentials = credentialsFrom(connection, wiring.authSecret);
  const account = connection.integrationAccount;
  const integrationHandle = (!cloud && account?.username) || 'jira-sync';
  const integration: UserSeed = {
    handle: integrationHandle,
    displayName: 'jira-sync',
    email: credentials?.kind === 'basic' && cloud ? credentials.user : 'jira-sync@example.com',
    admin: true,
    ...(cloud && account?.accountId ? { accountId: account.accountId } : {}),
    ...(credentials?.kind === 'basic'
      ? cloud
        ? { apiTokens: [credentials.secret] }
        : { password: credentials.secret }
      : {}),
    ...(credentials?.kind === 'pat' ? { pats: [credentials.token] } : {}),
  };
  const people: UserSeed[] = [
    {
      handle: 'alice',
      displayName: 'Alice Agent',
      email: 'alice@acme.example',
      timeZone: 'Europe/Berlin',
      admin: true,
      ...(cloud ? { apiTokens: ['alice-api-token'] } : { password: 'alice-password' }),
    },
    {
      handle: 'bob',
      displayName: 'Bob Engineer',
      email: 'bob@acme.example',
      timeZone: 'Europe/Lisbon',
      ...(cloud ? { apiTokens: ['bob-api-token'] } : { password: 'bob-password' }),
    },
    {
      handle: 'carol',
      displayName: 'Carol Customer',
      email: 'carol@customer.example',
      accountType: 'customer',
      emailVisible: false,
      ...(cloud ? { apiTokens: ['carol-api-token'] } : { password: 'carol-password' }),
    },
  ];
  const jsm = connection.serviceManagement;
  const projectKey = jsm ? 'HELP' : 'ENG';
  const seed: SiteSeed = {
    users: [integration, ...people],
    projects: [
      jsm
        ? {
            key: 'HELP',
            name: 'IT Help Desk',
            type: 'service_desk',
            lead: 'alice',
            permissions: { [integrationHandle]: 'agent', alice: 'agent', bob: 'agent' },
            serviceDesk: { customers: ['carol'] },
          }
        : {
            key: 'ENG',
            name: 'Engineering',
            type: 'software',
            lead: 'bob',
            permissions: { [integrationHandle]: 'all', alice: 'all', bob: 'all' },
          },
    ],
  };
  const secret =
    wiring.webhookSecret === undefined
      ? undefined
      : (parseWebhookSecret(wiring.webhookSecret)[0] ?? wiring.webhookSecret);
  const verify = connection.webhook.verify;
  const url =
    verify === 'url-token' && secret
      ? `${wiring.webhookUrl}?token=${encodeURIComponent(secret)}`
      : wiring.webhookUrl;
  const options: SiteOptions = {
    id: connection.id,
    flavour: connection.flavor,
    port: wiring.ephemeralPorts ? 0 : portOf(connection.baseUrl),
    ...(new URL(connection.baseUrl).pathname.length > 1
      ? { contextPath: new URL(connection.baseUrl).pathname }
      : {}),
    seed,
    adminWebhooks:
      verify === 'bearer'
        ? []
        : [
            {
              name: `jira-sync (${connection.id})`,
              url,
              events: [...ADMIN_EVENTS],
              ...(verify === 'hmac' && secret ? { secret } : {}),
            },
          ],
  };
  return {
    connection,
    options,
    credentials,
    projectKey,
    ...(verify === 'bearer'
      ? {
          automationRule: {
            name: `jira-sync (${connection.id})`,
            events: ['jira:issue_created', 'jira:issue_updated', 'comment_created'],
            url,
            headers: secret ? { Authorization: `Bearer ${secret}` } : {},
            body: 'jira' as const,
          },
        }
      : {}),
  };
}
