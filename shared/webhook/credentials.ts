import type { Connection } from '../config/schema.ts';
import { WebhookRejected } from './errors.ts';
import { type SignatureCheck, tokensEqual, verifySignature } from './signature.ts';
import type { WebhookSecretSource } from './webhook-secret.ts';

export interface CredentialInput {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

type Check = SignatureCheck;

function checkAgainst(connection: Connection, input: CredentialInput, secrets: readonly string[]): Check {
  switch (connection.webhook.verify) {
    case 'hmac':
      return verifySignature(input.headers['x-hub-signature'], input.body, secrets);
    case 'bearer': {
      const header = input.headers.authorization;
      if (header === undefined) return { ok: false, reason: 'missing-signature' };
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      if (!match?.[1]) return { ok: false, reason: 'malformed-signature' };
      const token = match[1];
      return secrets.some((s) => tokensEqual(token, s))
        ? { ok: true }
        : { ok: false, reason: 'bad-signature' };
    }
    case 'url-token': {
      const token = input.query.token;
      if (token === undefined || token === '') return { ok: false, reason: 'missing-signature' };
      return secrets.some((s) => tokensEqual(token, s))
        ? { ok: true }
        : { ok: false, reason: 'bad-signature' };
    }
  }
}

const WHAT: Record<Connection['webhook']['verify'], string> = {
  hmac: 'X-Hub-Signature',
  bearer: 'Authorization: Bearer token',
  'url-token': 'token query parameter',
};

/**
 * Verifies a request with the connection's method. A mismatch refetches the secret once (it may have been
 * rotated since it was cached) before the request is refused. Throws `WebhookRejected` (401) when the
 * request is not authentic and `IngestUnavailable` when the secret cannot be read.
 */
export async function verifyCredentials(
  connection: Connection,
  input: CredentialInput,
  secrets: WebhookSecretSource,
): Promise<void> {
  const name = connection.webhook.secret;
  let result = checkAgainst(connection, input, await secrets.values(name));
  if (!result.ok && result.reason === 'bad-signature' && secrets.mayRefetch(name)) {
    result = checkAgainst(connection, input, await secrets.values(name, { fresh: true }));
  }
  if (result.ok) return;
  const what = WHAT[connection.webhook.verify];
  const detail: Record<typeof result.reason, string> = {
    'missing-signature': `missing ${what}`,
    'malformed-signature': `malformed ${what}`,
    'unsupported-method': 'unsupported signature method (sha256, sha384 or sha512 expected)',
    'bad-signature': `${what} does not match`,
  };
  throw new WebhookRejected(401, result.reason, detail[result.reason]);
}
