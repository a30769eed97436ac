import type * as z from 'zod';
import type { Connection } from '../config/schema.ts';
import { secretsManagerSecretStore } from './auth/secret-store.ts';
import { CLIENT_DEFAULTS, type JiraClientOptions } from './client-options.ts';
import type { JiraDownload, JiraRequest } from './request.ts';
import { HttpJiraClient } from './transport.ts';

export type { JiraClientOptions } from './client-options.ts';

/**
 * A client for one connection. Operations are free functions over `send` (in the style of jira.js), so the
 * surface stays small and each operation is one readable function. `expect` says what comes back: a zod
 * schema (the JSON body, parsed), `'stream'` (a download) or `'nothing'` (the body is ignored).
 */
export interface JiraClient {
  readonly connectionId: string;
  readonly flavor: Connection['flavor'];
  readonly serviceManagement: boolean;
  readonly authType: Connection['auth']['type'];
  send<S extends z.ZodType>(request: JiraRequest & { readonly expect: S }): Promise<z.output<S>>;
  send(request: JiraRequest & { readonly expect: 'stream' }): Promise<JiraDownload>;
  send(request: JiraRequest & { readonly expect: 'nothing' }): Promise<void>;
}

/** Creates the client of one connection. Keep one per connection per container: it owns the pacing state. */
export function createJiraClient(connection: Connection, options: JiraClientOptions = {}): JiraClient {
  return new HttpJiraClient(connection, options);
}

/** One client per connection for the life of the container, so rate-limit state survives invocations. */
export function jiraClients(options: JiraClientOptions = {}): (connection: Connection) => JiraClient {
  const clients = new Map<string, JiraClient>();
  const secrets =
    options.secrets ??
    secretsManagerSecretStore({ ttlMs: options.secretTtlMs ?? CLIENT_DEFAULTS.secretTtlMs });
  return (connection) => {
    let client = clients.get(connection.id);
    if (!client) {
      client = createJiraClient(connection, { ...options, secrets });
      clients.set(connection.id, client);
    }
    return client;
  };
}
