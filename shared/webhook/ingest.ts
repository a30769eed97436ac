import type { Config, Connection } from '../config/schema.ts';
import { parseBody } from './body.ts';
import { verifyCredentials } from './credentials.ts';
import type { Enqueue } from './enqueue.ts';
import { IngestUnavailable, WebhookRejected } from './errors.ts';
import { normalise } from './normalise.ts';
import type { Actor, SyncEvent } from './sync-event.ts';
import type { WebhookSecretSource } from './webhook-secret.ts';

/** A webhook request, free of any Lambda or HTTP framework type. Header names are lower-case. */
export interface WebhookRequest {
  readonly connectionId: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  readonly receivedAt: number;
}

export interface IngestDeps {
  readonly config: Config;
  readonly secrets: WebhookSecretSource;
  readonly enqueue: Enqueue;
}

export type IngestOutcome =
  | { readonly status: 202; readonly outcome: 'accepted'; readonly events: readonly SyncEvent[] }
  | { readonly status: 202; readonly outcome: 'ignored-no-issue'; readonly webhookEvent: string }
  | { readonly status: 202; readonly outcome: 'ignored-own-change'; readonly events: readonly SyncEvent[] }
  | {
      readonly status: 400 | 401 | 404 | 413 | 415;
      readonly outcome: 'rejected';
      readonly reason: string;
      readonly message: string;
      readonly error: WebhookRejected;
    }
  | {
      readonly status: 503;
      readonly outcome: 'unavailable';
      readonly reason: string;
      readonly error: IngestUnavailable;
    };

/** Events caused by jira-sync's own account are dropped here: the first line of loop prevention. */
export function isOwnChange(connection: Connection, actor: Actor | undefined): boolean {
  const own = connection.integrationAccount;
  if (!own || !actor) return false;
  return (
    (own.accountId !== undefined && actor.accountId === own.accountId) ||
    (own.username !== undefined && actor.username === own.username)
  );
}

async function run(request: WebhookRequest, deps: IngestDeps): Promise<IngestOutcome> {
  const connection = deps.config.connections.find((c) => c.id === request.connectionId);
  if (!connection) throw new WebhookRejected(404, 'unknown-connection', 'unknown connection');
  if (request.body.length > deps.config.ingest.maxBodyBytes) {
    throw new WebhookRejected(413, 'too-large', `the body exceeds ${deps.config.ingest.maxBodyBytes} bytes`);
  }
  await verifyCredentials(connection, request, deps.secrets);
  const body = parseBody(request.body, request.headers['content-type']);
  const normalised = normalise(body, {
    connectionId: connection.id,
    headers: request.headers,
    body: request.body,
    receivedAt: request.receivedAt,
  });
  if (normalised.type === 'no-issue') {
    return { status: 202, outcome: 'ignored-no-issue', webhookEvent: normalised.webhookEvent };
  }
  const events = normalised.events;
  if (events.every((e) => isOwnChange(connection, e.actor))) {
    return { status: 202, outcome: 'ignored-own-change', events };
  }
  await deps.enqueue(events);
  return { status: 202, outcome: 'accepted', events };
}

/**
 * The whole ingest path as a plain function: find the connection, bound the size, verify, parse,
 * normalise, drop our own changes, enqueue. Never throws: every failure becomes an outcome with the HTTP
 * status to answer, so bad input can only yield a 4xx and a dependency failure a 503 (Jira then retries).
 */
export async function ingestWebhook(request: WebhookRequest, deps: IngestDeps): Promise<IngestOutcome> {
  try {
    return await run(request, deps);
  } catch (error) {
    if (error instanceof WebhookRejected) {
      return {
        status: error.status,
        outcome: 'rejected',
        reason: error.reason,
        message: error.message,
        error,
      };
    }
    if (error instanceof IngestUnavailable) {
      return { status: 503, outcome: 'unavailable', reason: error.code, error };
    }
    return {
      status: 503,
      outcome: 'unavailable',
      reason: 'INGEST_INTERNAL',
      error: new IngestUnavailable('INGEST_INTERNAL', 'unexpected ingest failure', { cause: error }),
    };
  }
}
