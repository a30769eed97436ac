import { parseConfigText } from '../../shared/config/load.ts';
import type { Connection } from '../../shared/config/schema.ts';
import type { SecretStore } from '../../shared/jira/auth/secret-store.ts';
import { createJiraClient, type JiraClient, type JiraClientOptions } from '../../shared/jira/client.ts';
import type { Clock } from '../../shared/jira/token-bucket.ts';

/** A connection as the config loader would produce it, with its defaults applied. */
export function testConnection(input: {
  readonly id?: string;
  readonly flavor: 'cloud' | 'datacenter';
  readonly baseUrl: string;
  readonly auth: Record<string, unknown>;
  readonly serviceManagement?: boolean;
}): Connection {
  const config = parseConfigText(
    JSON.stringify({
      connections: [
        {
          id: input.id ?? 'acme',
          flavor: input.flavor,
          baseUrl: input.baseUrl,
          auth: input.auth,
          webhook: { verify: 'url-token', secret: 'jira-sync/test/webhook' },
          serviceManagement: input.serviceManagement ?? false,
        },
      ],
    }),
    'test-config.json',
  );
  const [connection] = config.connections;
  if (!connection) throw new Error('no connection');
  return connection;
}

/** A clock whose sleeps only move time forward (and are recorded), so backoff costs no real time. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public time = Date.parse('2026-03-02T10:00:00Z')) {}
  now = (): number => this.time;
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.time += ms;
  };
}

/** A client with a fake clock, no jitter surprises (random = 0.5) and generous pacing unless overridden. */
export function testClient(
  connection: Connection,
  secrets: SecretStore,
  options: JiraClientOptions = {},
): { client: JiraClient; clock: FakeClock } {
  const clock = options.clock instanceof FakeClock ? options.clock : new FakeClock();
  const client = createJiraClient(connection, {
    secrets,
    clock,
    random: () => 0.5,
    rate: { ratePerSecond: 1000, burst: 1000 },
    timeoutMs: 2_000,
    ...options,
  });
  return { client, clock };
}
