import * as z from 'zod';
import { USER_AGENT } from '../jira/user-agent.ts';
import { OAuthTokenError } from './errors.ts';

/** Where Atlassian's OAuth 2.0 (3LO) lives; each connection may override them (local runs, tests). */
export interface OAuthEndpoints {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /** API gateway: `<apiUrl>/oauth/token/accessible-resources` and `<apiUrl>/ex/jira/{cloudId}`. */
  readonly apiUrl: string;
}

export interface OAuthHttpOptions {
  readonly timeoutMs: number;
}

/** A token endpoint answer, normalised. `refreshToken` is the rotated one and must replace the old. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly expiresInSeconds: number;
  readonly scope: string | undefined;
}

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});

const tokenErrorSchema = z.looseObject({
  error: z.string().optional(),
  error_description: z.string().optional(),
});

const accessibleResourcesSchema = z.array(
  z.looseObject({
    id: z.string().min(1),
    url: z.string().min(1),
    name: z.string().optional(),
    scopes: z.array(z.string()).optional(),
  }),
);

export type AccessibleResource = z.infer<typeof accessibleResourcesSchema>[number];

async function call(url: string, init: RequestInit, http: OAuthHttpOptions, what: string): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...init.headers },
      signal: AbortSignal.timeout(http.timeoutMs),
      redirect: 'error',
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
    throw new OAuthTokenError(
      'OAUTH_UNAVAILABLE',
      `${what}: ${timedOut ? `no answer within ${http.timeoutMs} ms` : 'network error'}`,
      undefined,
      { cause },
    );
  }
}

async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

async function tokenRequest(
  endpoints: OAuthEndpoints,
  body: Record<string, string>,
  http: OAuthHttpOptions,
  what: string,
): Promise<TokenSet> {
  const response = await call(
    endpoints.tokenUrl,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    http,
    what,
  );
  const json = await jsonOf(response);
  if (!response.ok) {
    const err = tokenErrorSchema.safeParse(json);
    const error = err.success ? err.data.error : undefined;
    const description = err.success ? err.data.error_description : undefined;
    const detail = [error, description].filter(Boolean).join(': ') || `status ${response.status}`;
    const code =
      error === 'invalid_grant'
        ? 'OAUTH_INVALID_GRANT'
        : error === 'invalid_client' || error === 'unauthorized_client' || response.status === 401
          ? 'OAUTH_INVALID_CLIENT'
          : response.status >= 500 || response.status === 429
            ? 'OAUTH_UNAVAILABLE'
            : 'OAUTH_BAD_RESPONSE';
    throw new OAuthTokenError(code, `${what} refused (${response.status}): ${detail}`, response.status);
  }
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new OAuthTokenError('OAUTH_BAD_RESPONSE', `${what}: unexpected token response`, response.status);
  }
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresInSeconds: parsed.data.expires_in,
    scope: parsed.data.scope,
  };
}

/** Authorization code → tokens (the consent callback). */
export function exchangeCode(
  endpoints: OAuthEndpoints,
  input: { clientId: string; clientSecret: string; code: string; redirectUri: string },
  http: OAuthHttpOptions,
): Promise<TokenSet> {
  return tokenRequest(
    endpoints,
    {
      grant_type: 'authorization_code',
      client_id: input.clientId,
      client_secret: input.clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
    },
    http,
    'authorization code exchange',
  );
}

/** Refresh token → new access token and a new (rotated) refresh token. */
export function refreshTokens(
  endpoints: OAuthEndpoints,
  input: { clientId: string; clientSecret: string; refreshToken: string },
  http: OAuthHttpOptions,
): Promise<TokenSet> {
  return tokenRequest(
    endpoints,
    {
      grant_type: 'refresh_token',
      client_id: input.clientId,
      client_secret: input.clientSecret,
      refresh_token: input.refreshToken,
    },
    http,
    'token refresh',
  );
}

/** The sites an access token may reach; each `id` is a cloudId. */
export async function accessibleResources(
  endpoints: OAuthEndpoints,
  accessToken: string,
  http: OAuthHttpOptions,
): Promise<AccessibleResource[]> {
  const what = 'accessible-resources';
  const response = await call(
    `${trimSlash(endpoints.apiUrl)}/oauth/token/accessible-resources`,
    { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } },
    http,
    what,
  );
  const json = await jsonOf(response);
  if (!response.ok) {
    throw new OAuthTokenError(
      response.status >= 500 || response.status === 429 ? 'OAUTH_UNAVAILABLE' : 'OAUTH_BAD_RESPONSE',
      `${what} refused (${response.status})`,
      response.status,
    );
  }
  const parsed = accessibleResourcesSchema.safeParse(json);
  if (!parsed.success) throw new OAuthTokenError('OAUTH_BAD_RESPONSE', `${what}: unexpected response`);
  return parsed.data;
}

/** The resource whose site URL is the connection's base URL (compared by origin). */
export function resourceForSite(
  resources: readonly AccessibleResource[],
  baseUrl: string,
): AccessibleResource | undefined {
  const origin = originOf(baseUrl);
  return resources.find((r) => originOf(r.url) === origin);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
