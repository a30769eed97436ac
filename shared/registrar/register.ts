import type { Config, Connection } from '../config/schema.ts';
import type { JiraClient } from '../jira/client.ts';
import {
  type AdminWebhook,
  type AdminWebhookInput,
  createAdminWebhook,
  type DynamicWebhook,
  deleteAdminWebhook,
  deleteDynamicWebhooks,
  listAdminWebhooks,
  listDynamicWebhooks,
  refreshDynamicWebhooks,
  registerDynamicWebhooks,
  updateAdminWebhook,
} from '../jira/platform/webhooks.ts';
import {
  type RegistrationMode,
  registrationPlan,
  type WebhookRegistration,
  webhookName,
  webhookUrl,
} from './plan.ts';

export interface RegistrarDeps {
  /** The stage URL of the webhook API, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/`. */
  readonly apiUrl: string;
  /** The Jira client of a connection (credentials, rate limits, OAuth refresh). */
  readonly client: (connection: Connection) => JiraClient;
  /** The current value of a webhook secret (the `current` one while rotating). Never logged. */
  readonly webhookSecret: (secretId: string) => Promise<string>;
}

export type RegistrationStatus = 'created' | 'updated' | 'unchanged' | 'refreshed' | 'skipped' | 'failed';

export interface RegistrationResult {
  readonly connectionId: string;
  readonly mode: RegistrationMode;
  readonly status: RegistrationStatus;
  /** The webhook(s) jira-sync now relies on. */
  readonly webhookIds: readonly string[];
  /** Duplicates or stale registrations for the same URL that were deleted. */
  readonly removedIds: readonly string[];
  /** Dynamic webhooks: when Jira stops sending unless refreshed again (ISO 8601), when Jira said. */
  readonly expiresAt?: string;
  /** Why it was skipped or failed; never contains a secret. */
  readonly message?: string;
}

/**
 * Makes Jira's webhooks for every registering connection match the plan, idempotently: a webhook for the
 * connection's URL is created when missing, updated when it differs (always for HMAC ones: Jira never
 * returns the secret, so it cannot be compared), and duplicates for the same URL are removed. Dynamic
 * webhooks are refreshed (another 30 days) on every run. One connection's failure does not stop the others;
 * results come in config order.
 */
export async function registerWebhooks(
  config: Pick<Config, 'connections' | 'flows'>,
  deps: RegistrarDeps,
): Promise<RegistrationResult[]> {
  // Connections are independent (own site, own client): register them side by side, so the run takes as
  // long as the slowest one, well inside the function's timeout even when several Jiras are slow.
  return Promise.all(
    registrationPlan(config).flatMap((registration) => {
      const connection = config.connections.find((c) => c.id === registration.connectionId);
      return connection ? [registerWebhook(connection, registration, deps)] : [];
    }),
  );
}

/** One connection; never throws: failures come back as `status: 'failed'` with a safe message. */
export async function registerWebhook(
  connection: Connection,
  registration: WebhookRegistration,
  deps: RegistrarDeps,
): Promise<RegistrationResult> {
  const base = { connectionId: connection.id, mode: registration.mode, webhookIds: [], removedIds: [] };
  if (registration.jql === undefined) {
    return {
      ...base,
      status: 'skipped',
      message: 'no flow uses this connection, so there is nothing to listen to',
    };
  }
  let secret: string | undefined;
  try {
    secret = await deps.webhookSecret(connection.webhook.secret);
    const target = { ...registration, jql: registration.jql, url: webhookUrl(deps.apiUrl, connection.id) };
    const client = deps.client(connection);
    return registration.mode === 'admin'
      ? await ensureAdmin(client, connection, target, secret)
      : await ensureDynamic(client, target, secret);
  } catch (error) {
    return { ...base, status: 'failed', message: redact(messageOf(error), secret) };
  }
}

interface Target extends WebhookRegistration {
  readonly jql: string;
  /** Without the token. */
  readonly url: string;
}

async function ensureAdmin(
  client: JiraClient,
  connection: Connection,
  target: Target,
  secret: string,
): Promise<RegistrationResult> {
  const signed = connection.webhook.verify === 'hmac';
  const desired: AdminWebhookInput = {
    name: webhookName(connection.id),
    url: connection.webhook.verify === 'url-token' ? withToken(target.url, secret) : target.url,
    events: target.events,
    jql: target.jql,
    excludeBody: false,
    ...(signed ? { secret } : {}),
  };
  const existing = byId((await listAdminWebhooks(client)).filter((w) => withoutQuery(w.url) === target.url));
  const result = { connectionId: connection.id, mode: target.mode };
  // Prefer one that already matches, so a second run changes nothing.
  const keep = existing.find((w) => adminMatches(w, desired)) ?? existing[0];
  let status: RegistrationStatus;
  let id: string;
  if (!keep) {
    id = (await createAdminWebhook(client, desired)).id;
    status = 'created';
  } else if (!signed && adminMatches(keep, desired)) {
    id = keep.id;
    status = 'unchanged';
  } else {
    id = (await updateAdminWebhook(client, keep.id, desired)).id;
    status = 'updated';
  }
  // Two webhooks for one URL deliver every event twice: keep one (deleted only once the kept one is right).
  const removedIds = existing.map((w) => w.id).filter((other) => other !== id);
  for (const other of removedIds) await deleteAdminWebhook(client, other);
  return { ...result, status, webhookIds: [id], removedIds };
}

function adminMatches(existing: AdminWebhook, desired: AdminWebhookInput): boolean {
  return (
    existing.name === desired.name &&
    existing.url === desired.url &&
    sameSet(existing.events, desired.events) &&
    (existing.jql ?? '') === (desired.jql ?? '') &&
    existing.enabled !== false
  );
}

async function ensureDynamic(
  client: JiraClient,
  target: Target,
  secret: string,
): Promise<RegistrationResult> {
  const url = withToken(target.url, secret);
  const mine = byId(
    (await listDynamicWebhooks(client)).filter(
      (w) => w.url !== undefined && withoutQuery(w.url) === target.url,
    ),
  );
  const current = mine.find(
    (w) => w.url === url && sameSet(w.events, target.events) && (w.jqlFilter ?? '') === target.jql,
  );
  let status: RegistrationStatus;
  let id: string;
  let expiresAt: string | undefined;
  if (current) {
    id = String(current.id);
    expiresAt = isoDate(await refreshDynamicWebhooks(client, [id]));
    status = 'refreshed';
  } else {
    const [answer] = await registerDynamicWebhooks(client, url, [
      { events: target.events, jqlFilter: target.jql },
    ]);
    if (!answer || !('id' in answer)) {
      const errors = answer && 'errors' in answer ? answer.errors.join('; ') : 'no result';
      throw new Error(`Jira refused the dynamic webhook: ${errors}`);
    }
    id = answer.id;
    status = 'created';
  }
  // Stale registrations for this URL (an old token, other events or projects) would double deliveries.
  const removedIds = mine.map((w) => String(w.id)).filter((other) => other !== id);
  if (removedIds.length > 0) await deleteDynamicWebhooks(client, removedIds);
  return {
    connectionId: target.connectionId,
    mode: target.mode,
    status,
    webhookIds: [id],
    removedIds,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** One line per connection, for the custom resource's answer and the deploy output. */
export function summarize(results: readonly RegistrationResult[]): string {
  if (results.length === 0) return 'no connection registers webhooks';
  const text = results
    .map((r) => {
      const detail = r.message ? ` (${truncate(r.message, 160)})` : '';
      return `${r.connectionId}: ${r.mode} ${r.status}${detail}`;
    })
    .join('; ');
  // CloudFormation takes at most 4 KB of custom resource answer.
  return truncate(text, 2000);
}

function withToken(url: string, secret: string): string {
  return `${url}?token=${encodeURIComponent(secret)}`;
}

function withoutQuery(url: string): string {
  return (url.split('?')[0] ?? url).replace(/\/+$/, '');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

function byId<T extends AdminWebhook | DynamicWebhook>(webhooks: readonly T[]): T[] {
  return [...webhooks].sort(
    (a, b) => Number(a.id) - Number(b.id) || String(a.id).localeCompare(String(b.id)),
  );
}

function isoDate(value: number | string): string | undefined {
  const date = new Date(typeof value === 'number' ? value : Date.parse(value));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Jira may echo the URL (with its token) or the secret in an error body: never pass either on. */
function redact(message: string, secret: string | undefined): string {
  if (secret === undefined || secret === '') return message;
  return message.split(secret).join('***').split(encodeURIComponent(secret)).join('***');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
