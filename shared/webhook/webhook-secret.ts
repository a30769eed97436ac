import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { secretsManagerClient } from '../aws/clients.ts';
import { IngestUnavailable } from './errors.ts';

/**
 * The shared webhook secret of a connection, as stored in Secrets Manager: a plain string, or during a
 * rotation JSON `{"current": "...", "previous": "..."}` so both values verify until Jira uses the new one.
 */
const rotatingSecretSchema = z.strictObject({
  current: z.string().min(1),
  previous: z.string().min(1).optional(),
});

export function parseWebhookSecret(raw: string): string[] {
  const trimmed = raw.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new Error('the secret looks like JSON but does not parse');
    }
    const parsed = rotatingSecretSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error('the secret JSON must be {"current": string, "previous"?: string}');
    }
    return parsed.data.previous ? [parsed.data.current, parsed.data.previous] : [parsed.data.current];
  }
  if (trimmed === '') throw new Error('the secret is empty');
  return [trimmed];
}

/** Where verification gets the currently valid secret values. */
export interface WebhookSecretSource {
  /** Valid values for a secret; `fresh` bypasses the cache (a mismatch may mean the secret rotated). */
  values(secretName: string, options?: { fresh?: boolean }): Promise<string[]>;
  /** Whether a cache-bypassing refetch is allowed now; bounds Secrets Manager calls under bad traffic. */
  mayRefetch(secretName: string): boolean;
}

export interface SecretsManagerSourceOptions {
  /** Seconds a value stays cached in a warm container. */
  readonly ttlSeconds: number;
  /** At most one forced refetch per secret in this window, however many bad signatures arrive. */
  readonly minRefetchIntervalMs?: number;
  readonly now?: () => number;
}

/** Secrets Manager through Powertools' cached provider, on the shared SDK client. */
export function secretsManagerWebhookSecrets(options: SecretsManagerSourceOptions): WebhookSecretSource {
  const provider = new SecretsProvider({ awsSdkV3Client: secretsManagerClient() });
  const lastForced = new Map<string, number>();
  const now = options.now ?? Date.now;
  const minInterval = options.minRefetchIntervalMs ?? 10_000;
  return {
    async values(secretName, { fresh = false } = {}) {
      if (fresh) lastForced.set(secretName, now());
      let raw: unknown;
      try {
        raw = await provider.get(secretName, { maxAge: options.ttlSeconds, forceFetch: fresh });
      } catch (cause) {
        throw new IngestUnavailable('SECRET_UNAVAILABLE', `cannot read webhook secret "${secretName}"`, {
          cause,
        });
      }
      const text =
        typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString() : '';
      try {
        return parseWebhookSecret(text);
      } catch (cause) {
        throw new IngestUnavailable(
          'SECRET_UNAVAILABLE',
          `webhook secret "${secretName}" is unusable: ${(cause as Error).message}`,
          { cause },
        );
      }
    },
    mayRefetch(secretName) {
      const last = lastForced.get(secretName);
      return last === undefined || now() - last >= minInterval;
    },
  };
}
