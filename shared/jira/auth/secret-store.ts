import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from '../../aws/clients.ts';
import { type Clock, systemClock } from '../token-bucket.ts';

/** Where Jira credentials live. Values are strings (JSON); they never appear in errors or logs. */
export interface SecretStore {
  /** The current value; `fresh` skips the cache (the secret may have rotated since it was cached). */
  read(secretId: string, options?: { readonly fresh?: boolean }): Promise<string>;
  /** Stores a new current value (OAuth token rotation, consent) and caches it. */
  write(secretId: string, value: string): Promise<void>;
}

export interface SecretsManagerStoreOptions {
  /** How long a value stays cached in a warm container. */
  readonly ttlMs: number;
  /** Defaults to the shared client of `shared/aws/clients.ts`. */
  readonly client?: SecretsManagerClient;
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * Secrets Manager with a per-container TTL cache. Concurrent reads of one secret share a request, so a
 * cold container fanning out to Jira asks Secrets Manager once.
 */
export function secretsManagerSecretStore(options: SecretsManagerStoreOptions): SecretStore {
  const clock = options.clock ?? systemClock;
  const cache = new Map<string, { value: string; at: number }>();
  const inflight = new Map<string, Promise<string>>();
  const client = () => options.client ?? secretsManagerClient();

  const fetchValue = async (secretId: string): Promise<string> => {
    const out = await client().send(new GetSecretValueCommand({ SecretId: secretId }));
    const value =
      out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    if (value === undefined) throw new Error(`secret "${secretId}" has no value`);
    cache.set(secretId, { value, at: clock.now() });
    return value;
  };

  return {
    async read(secretId, { fresh = false } = {}) {
      const cached = cache.get(secretId);
      if (!fresh && cached && clock.now() - cached.at < options.ttlMs) return cached.value;
      const pending = inflight.get(secretId);
      if (pending) return pending;
      const request = fetchValue(secretId).finally(() => inflight.delete(secretId));
      inflight.set(secretId, request);
      return request;
    },
    async write(secretId, value) {
      await client().send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
      cache.set(secretId, { value, at: clock.now() });
    },
  };
}
