import { parseConfigText } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import type { Enqueue } from '../../shared/webhook/enqueue.ts';
import type { IngestDeps, WebhookRequest } from '../../shared/webhook/ingest.ts';
import { signBody } from '../../shared/webhook/signature.ts';
import type { SyncEvent } from '../../shared/webhook/sync-event.ts';
import type { WebhookSecretSource } from '../../shared/webhook/webhook-secret.ts';

export const HMAC_SECRET = 'hmac-secret-Zq9';
export const BEARER_SECRET = 'bearer-token-Xw7';
export const URL_SECRET = 'url-token-Vk3';

export const testConfig: Config = parseConfigText(
  `
connections:
  - id: cloud
    flavor: cloud
    baseUrl: https://acme.atlassian.net
    auth: { type: basic, secret: auth/cloud }
    webhook: { verify: hmac, secret: webhook/cloud }
    serviceManagement: true
    integrationAccount: { accountId: 5b10ac8d82e05b22cc7d4ef5 }
  - id: automation
    flavor: cloud
    baseUrl: https://acme.atlassian.net
    auth: { type: basic, secret: auth/cloud }
    webhook: { verify: bearer, secret: webhook/automation }
  - id: dc
    flavor: datacenter
    baseUrl: https://jira.acme.internal
    auth: { type: pat, secret: auth/dc }
    webhook: { verify: url-token, secret: webhook/dc }
    integrationAccount: { username: jira-sync }
ingest:
  maxBodyBytes: 65536
`,
  'test-config.yaml',
);

/** An in-memory secret source that counts fetches; `set` simulates a rotation in Secrets Manager. */
export class FakeSecrets implements WebhookSecretSource {
  readonly store = new Map<string, string[]>([
    ['webhook/cloud', [HMAC_SECRET]],
    ['webhook/automation', [BEARER_SECRET]],
    ['webhook/dc', [URL_SECRET]],
  ]);
  private readonly cache = new Map<string, string[]>();
  fetches = 0;
  forcedFetches = 0;
  refetchAllowed = true;
  failWith: Error | undefined;

  async values(name: string, options?: { fresh?: boolean }): Promise<string[]> {
    if (this.failWith) throw this.failWith;
    const cached = this.cache.get(name);
    if (cached && !options?.fresh) return cached;
    this.fetches++;
    if (options?.fresh) this.forcedFetches++;
    const value = this.store.get(name) ?? [];
    this.cache.set(name, value);
    return value;
  }

  mayRefetch(): boolean {
    return this.refetchAllowed;
  }
}

export class CapturingQueue {
  readonly events: SyncEvent[] = [];
  failWith: Error | undefined;
  readonly enqueue: Enqueue = async (events) => {
    if (this.failWith) throw this.failWith;
    this.events.push(...events);
  };
}

export function makeDeps(overrides: Partial<IngestDeps> = {}): {
  deps: IngestDeps;
  secrets: FakeSecrets;
  queue: CapturingQueue;
} {
  const secrets = new FakeSecrets();
  const queue = new CapturingQueue();
  return { deps: { config: testConfig, secrets, enqueue: queue.enqueue, ...overrides }, secrets, queue };
}

export function jsonBody(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** A request to the hmac connection, signed like Jira signs admin webhooks. */
export function signedRequest(body: Uint8Array, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  const { headers, ...rest } = extra;
  return {
    connectionId: 'cloud',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature': signBody('sha256', HMAC_SECRET, body),
      'x-atlassian-webhook-identifier': 'wh-1',
      ...headers,
    },
    query: {},
    body,
    receivedAt: 1_700_000_000_000,
    ...rest,
  };
}
