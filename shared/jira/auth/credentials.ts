import * as z from 'zod';
import type { Connection } from '../../config/schema.ts';
import { JiraCredentialsError } from '../errors.ts';

/**
 * The JSON a connection's auth secret holds, per auth type and flavour. Loose objects: keys we do not know
 * (a note, a rotation date) are kept, and written back untouched when OAuth rotates its tokens.
 */
const text = z.string().trim().min(1);

export const cloudBasicSecretSchema = z.looseObject({ email: text, apiToken: text });
export const dataCenterBasicSecretSchema = z.looseObject({ username: text, password: text });
export const patSecretSchema = z.looseObject({ token: text });
export const oauthSecretSchema = z.looseObject({
  clientId: text,
  clientSecret: text,
  /** Set by the consent flow; rotated on every refresh. */
  refreshToken: text.optional(),
  accessToken: text.optional(),
  /** When `accessToken` expires, ISO-8601. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** The site's id at the API gateway, from accessible-resources. */
  cloudId: text.optional(),
  /** Granted scopes, space-separated, as the token endpoint reported them. */
  scope: z.string().optional(),
});

export type OAuthSecret = z.infer<typeof oauthSecretSchema>;

/** What goes into the Authorization header for basic and pat, resolved from the secret. */
export type StaticCredentials =
  | { readonly kind: 'basic'; readonly user: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

function parseJson(raw: string, connection: Connection): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalid(connection, 'is not JSON');
  }
}

function invalid(connection: Connection, problem: string): JiraCredentialsError {
  return new JiraCredentialsError(
    connection.id,
    'invalid',
    `the ${connection.auth.type} secret "${connection.auth.secret}" ${problem} (expected ${expectedShape(connection)})`,
  );
}

/** The shape a connection's secret must have, for error messages and the README. */
export function expectedShape(connection: Pick<Connection, 'flavor' | 'auth'>): string {
  switch (connection.auth.type) {
    case 'basic':
      return connection.flavor === 'cloud'
        ? '{"email": "...", "apiToken": "..."}'
        : '{"username": "...", "password": "..."}';
    case 'pat':
      return '{"token": "..."}';
    case 'oauth':
      return '{"clientId": "...", "clientSecret": "..."} plus the tokens the consent flow adds';
  }
}

function check<S extends z.ZodType>(schema: S, json: unknown, connection: Connection): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  // Key names only: zod messages could quote the received value, which is a credential.
  const keys = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(top level)'))];
  throw invalid(connection, `has missing or invalid keys: ${keys.join(', ')}`);
}

/** Reads a basic or pat secret into the credentials to send. */
export function parseStaticCredentials(raw: string, connection: Connection): StaticCredentials {
  const json = parseJson(raw, connection);
  if (connection.auth.type === 'pat') {
    return { kind: 'bearer', token: check(patSecretSchema, json, connection).token };
  }
  if (connection.flavor === 'cloud') {
    const secret = check(cloudBasicSecretSchema, json, connection);
    return { kind: 'basic', user: secret.email, password: secret.apiToken };
  }
  const secret = check(dataCenterBasicSecretSchema, json, connection);
  return { kind: 'basic', user: secret.username, password: secret.password };
}

export function parseOAuthSecret(raw: string, connection: Connection): OAuthSecret {
  return check(oauthSecretSchema, parseJson(raw, connection), connection);
}

export function authorizationHeader(credentials: StaticCredentials): string {
  return credentials.kind === 'basic'
    ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`
    : `Bearer ${credentials.token}`;
}
