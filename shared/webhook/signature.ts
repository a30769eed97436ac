import { createHash, createHmac, getHashes, timingSafeEqual } from 'node:crypto';

/**
 * `X-Hub-Signature: <method>=<hex>` as Jira signs admin webhooks: an HMAC of the raw body bytes. The method is
 * read from the header (Atlassian sends sha256 today) but only from this allow-list, so a caller cannot
 * downgrade us to something weak or make us call an unknown digest.
 */
const HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);
const available = new Set(getHashes());

export type SignatureCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'missing-signature' | 'malformed-signature' | 'unsupported-method' | 'bad-signature';
    };

export function parseSignatureHeader(
  header: string | undefined,
): { method: string; hex: string } | SignatureCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing-signature' };
  const match = /^([A-Za-z0-9-]{1,20})=([0-9A-Fa-f]+)$/.exec(header.trim());
  if (!match?.[1] || !match[2]) return { ok: false, reason: 'malformed-signature' };
  const method = match[1].toLowerCase();
  const expectedLength = HEX_LENGTH.get(method);
  if (expectedLength === undefined || !available.has(method))
    return { ok: false, reason: 'unsupported-method' };
  if (match[2].length !== expectedLength) return { ok: false, reason: 'malformed-signature' };
  return { method, hex: match[2].toLowerCase() };
}

export function signBody(method: string, secret: string, body: Uint8Array): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}

/** Checks the header against every currently valid secret (two during a rotation), in constant time each. */
export function verifySignature(
  header: string | undefined,
  body: Uint8Array,
  secrets: readonly string[],
): SignatureCheck {
  const parsed = parseSignatureHeader(header);
  if ('ok' in parsed) return parsed;
  const given = Buffer.from(parsed.hex, 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac(parsed.method, secret).update(body).digest();
    // Lengths are equal by construction (hex length checked above), as timingSafeEqual needs.
    if (timingSafeEqual(given, expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/** Constant-time equality for tokens of any length: both sides are hashed to a fixed size first. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
