import type { SecretStore } from '../jira/auth/secret-store.ts';
import { parseWebhookSecret } from '../webhook/webhook-secret.ts';

/**
 * Reads the current value of a webhook secret, fresh (a registration is rare, and must not push a value
 * that was rotated a minute ago). During a rotation (`{"current", "previous"}`) Jira gets `current`.
 */
export function currentWebhookSecret(store: SecretStore): (secretId: string) => Promise<string> {
  return async (secretId) => {
    const raw = await store.read(secretId, { fresh: true });
    let values: string[];
    try {
      values = parseWebhookSecret(raw);
    } catch (error) {
      throw new Error(`webhook secret "${secretId}" is unusable: ${(error as Error).message}`);
    }
    const [current] = values;
    if (current === undefined) throw new Error(`webhook secret "${secretId}" is empty`);
    return current;
  };
}
