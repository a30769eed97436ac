import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * The OAuth `state`: proves that a callback answers a consent this deployment started, for this
 * connection, recently, in this browser. Signed with HMAC-SHA256 under a key derived from the connection's
 * OAuth client secret, so no extra secret has to be provisioned and rotating the client secret voids every
 * pending consent. The nonce is also set as a cookie at `/start` and must come back with the callback,
 * which stops another browser (an attacker's consent) from completing this one.
 */

const VERSION = 'v1';

export interface StatePayload {
  readonly connectionId: string;
  readonly nonce: string;
  /** Epoch ms after which the state is refused. */
  readonly expiresAt: number;
}

export type StateCheck =
  | { readonly ok: true; readonly payload: StatePayload }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-connection' | 'wrong-browser';
    };

export function stateKey(clientSecret: string, connectionId: string): Buffer {
  return createHmac('sha256', clientSecret)
    .update(`jira-sync/oauth-state/${VERSION}/${connectionId}`)
    .digest();
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

function sign(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function signState(payload: StatePayload, key: Buffer): string {
  const data = `${VERSION}.${Buffer.from(
    JSON.stringify({ c: payload.connectionId, n: payload.nonce, e: payload.expiresAt }),
  ).toString('base64url')}`;
  return `${data}.${sign(key, data).toString('base64url')}`;
}

export function verifyState(
  state: string | undefined,
  expected: { readonly connectionId: string; readonly nonce: string | undefined; readonly now: number },
  key: Buffer,
): StateCheck {
  const parts = (state ?? '').split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2])
    return { ok: false, reason: 'malformed' };
  const given = Buffer.from(parts[2], 'base64url');
  const wanted = sign(key, `${parts[0]}.${parts[1]}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { ok: false, reason: 'bad-signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const payload = readPayload(raw);
  if (!payload) return { ok: false, reason: 'malformed' };
  if (payload.connectionId !== expected.connectionId) return { ok: false, reason: 'wrong-connection' };
  if (payload.expiresAt <= expected.now) return { ok: false, reason: 'expired' };
  if (expected.nonce === undefined || !equalText(payload.nonce, expected.nonce)) {
    return { ok: false, reason: 'wrong-browser' };
  }
  return { ok: true, payload };
}

const payloadSchema = z.strictObject({ c: z.string(), n: z.string(), e: z.number() });

function readPayload(raw: unknown): StatePayload | undefined {
  const parsed = payloadSchema.safeParse(raw);
  return parsed.success
    ? { connectionId: parsed.data.c, nonce: parsed.data.n, expiresAt: parsed.data.e }
    : undefined;
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
