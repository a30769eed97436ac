import type { Config, Connection, OAuthAuthConfig } from '../config/schema.ts';
import { type OAuthSecret, parseOAuthSecret } from '../jira/auth/credentials.ts';
import { readAuthSecret } from '../jira/auth/jira-auth.ts';
import { oauthEndpoints } from '../jira/auth/oauth-auth.ts';
import type { SecretStore } from '../jira/auth/secret-store.ts';
import { JiraCredentialsError } from '../jira/errors.ts';
import { OAuthConsentError, OAuthTokenError } from './errors.ts';
import { consentScopes } from './scopes.ts';
import { newNonce, signState, stateKey, verifyState } from './state.ts';
import { accessibleResources, exchangeCode, resourceForSite } from './token-client.ts';

/** How long a consent may take between `/start` and the callback. */
export const STATE_TTL_MS = 10 * 60 * 1000;
export const STATE_COOKIE = 'jira_sync_oauth_state';

export interface ConsentDeps {
  readonly config: Config;
  readonly secrets: SecretStore;
  readonly now: () => number;
  /** Timeout of each call to Atlassian. */
  readonly timeoutMs: number;
}

/** A consent request, free of any Lambda type. */
export interface ConsentRequest {
  readonly connectionId: string;
  /** Scheme and host this API was reached at, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  readonly origin: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly cookies: Readonly<Record<string, string | undefined>>;
}

export interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly maxAgeSeconds: number;
}

export type ConsentOutcome =
  | { readonly kind: 'redirect'; readonly location: string; readonly cookie: Cookie }
  | {
      readonly kind: 'page';
      readonly status: 200 | 400 | 404 | 409 | 500 | 502 | 503;
      readonly title: string;
      readonly message: string;
      /** Clears the state cookie once the consent is over. */
      readonly cookie?: Cookie;
      /** Log detail for failures; never shown to the browser. */
      readonly error?: Error;
    };

type OAuthConnection = Connection & { readonly auth: OAuthAuthConfig };

function oauthConnection(config: Config, connectionId: string): OAuthConnection {
  const connection = config.connections.find((c) => c.id === connectionId);
  if (!connection) throw new OAuthConsentError(404, 'unknown-connection', 'There is no such connection.');
  if (connection.auth.type !== 'oauth') {
    throw new OAuthConsentError(404, 'not-oauth', 'This connection does not use OAuth.');
  }
  return { ...connection, auth: connection.auth };
}

function cookiePath(connectionId: string): string {
  return `/oauth/${connectionId}`;
}

export function redirectUri(connection: OAuthConnection, origin: string): string {
  return connection.auth.redirectUri ?? `${origin.replace(/\/+$/, '')}/oauth/${connection.id}/callback`;
}

async function readSecret(connection: OAuthConnection, secrets: SecretStore): Promise<OAuthSecret> {
  try {
    return parseOAuthSecret(await readAuthSecret(secrets, connection, true), connection);
  } catch (cause) {
    if (cause instanceof JiraCredentialsError && !cause.retryable) {
      throw new OAuthConsentError(
        500,
        'secret-invalid',
        "The connection's OAuth secret is missing or malformed.",
        {
          cause,
          detail: cause.message,
        },
      );
    }
    throw new OAuthConsentError(
      503,
      'secret-unavailable',
      'The OAuth secret cannot be read right now; try again.',
      {
        cause,
      },
    );
  }
}

/**
 * Consent replaces the account jira-sync acts as, and these routes are public: once a refresh token is
 * stored, a new consent is refused until an administrator removes it from the secret.
 */
function refuseIfConnected(connection: OAuthConnection, secret: OAuthSecret): void {
  if (secret.refreshToken === undefined) return;
  throw new OAuthConsentError(
    409,
    'already-connected',
    `This connection is already authorised. To authorise it again (another account, new scopes), remove "refreshToken" from its secret ${connection.auth.secret} first.`,
  );
}

/** `GET /oauth/{connectionId}/start`: redirect to Atlassian's consent page with a signed `state`. */
export async function startConsent(request: ConsentRequest, deps: ConsentDeps): Promise<ConsentOutcome> {
  try {
    const connection = oauthConnection(deps.config, request.connectionId);
    const secret = await readSecret(connection, deps.secrets);
    refuseIfConnected(connection, secret);
    const nonce = newNonce();
    const state = signState(
      { connectionId: connection.id, nonce, expiresAt: deps.now() + STATE_TTL_MS },
      stateKey(secret.clientSecret, connection.id),
    );
    const url = new URL(connection.auth.authorizeUrl);
    url.searchParams.set('audience', 'api.atlassian.com');
    url.searchParams.set('client_id', secret.clientId);
    url.searchParams.set('scope', consentScopes(connection).join(' '));
    url.searchParams.set('redirect_uri', redirectUri(connection, request.origin));
    url.searchParams.set('state', state);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('prompt', 'consent');
    return {
      kind: 'redirect',
      location: url.toString(),
      cookie: {
        name: STATE_COOKIE,
        value: nonce,
        path: cookiePath(connection.id),
        maxAgeSeconds: STATE_TTL_MS / 1000,
      },
    };
  } catch (error) {
    return failurePage(error, request.connectionId);
  }
}

const STATE_PROBLEMS: Record<string, string> = {
  malformed: 'The consent link is broken. Start again.',
  'bad-signature':
    'The consent link was not issued by this deployment (or the client secret changed). Start again.',
  expired: 'The consent took longer than 10 minutes. Start again.',
  'wrong-connection': 'The consent link belongs to another connection. Start again.',
  'wrong-browser':
    'The consent was started in another browser (or cookies are blocked). Start again in this one.',
};

/**
 * `GET /oauth/{connectionId}/callback`: check `state`, exchange the code, find the site's cloudId among
 * the accessible resources, and store the tokens in the connection's secret.
 */
export async function completeConsent(request: ConsentRequest, deps: ConsentDeps): Promise<ConsentOutcome> {
  const clear: Cookie = {
    name: STATE_COOKIE,
    value: '',
    path: cookiePath(request.connectionId),
    maxAgeSeconds: 0,
  };
  try {
    const connection = oauthConnection(deps.config, request.connectionId);
    const secret = await readSecret(connection, deps.secrets);
    refuseIfConnected(connection, secret);
    const check = verifyState(
      request.query.state,
      { connectionId: connection.id, nonce: request.cookies[STATE_COOKIE], now: deps.now() },
      stateKey(secret.clientSecret, connection.id),
    );
    if (!check.ok) {
      throw new OAuthConsentError(
        400,
        `state-${check.reason}`,
        STATE_PROBLEMS[check.reason] ?? 'Start again.',
      );
    }
    if (request.query.error !== undefined) {
      throw new OAuthConsentError(400, 'not-granted', `Access was not granted (${request.query.error}).`, {
        detail: request.query.error_description,
      });
    }
    const code = request.query.code;
    if (!code)
      throw new OAuthConsentError(400, 'no-code', 'Atlassian sent no authorization code. Start again.');

    const endpoints = oauthEndpoints(connection.auth);
    const http = { timeoutMs: deps.timeoutMs };
    const tokens = await exchangeCode(
      endpoints,
      {
        clientId: secret.clientId,
        clientSecret: secret.clientSecret,
        code,
        redirectUri: redirectUri(connection, request.origin),
      },
      http,
    );
    if (!tokens.refreshToken) {
      throw new OAuthConsentError(
        400,
        'no-refresh-token',
        'Atlassian granted no refresh token: the scopes must include offline_access.',
      );
    }
    const resources = await accessibleResources(endpoints, tokens.accessToken, http);
    const site = resourceForSite(resources, connection.baseUrl);
    if (!site) {
      const granted = resources.map((r) => r.url).join(', ') || 'none';
      throw new OAuthConsentError(
        400,
        'wrong-site',
        `Access was granted to ${granted}, not to ${connection.baseUrl}. Start again and choose that site.`,
      );
    }
    const next: OAuthSecret = {
      ...secret,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(deps.now() + tokens.expiresInSeconds * 1000).toISOString(),
      cloudId: site.id,
      ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
    };
    try {
      await deps.secrets.write(connection.auth.secret, JSON.stringify(next));
    } catch (cause) {
      throw new OAuthConsentError(503, 'secret-unwritable', 'The tokens could not be stored. Start again.', {
        cause,
      });
    }
    return {
      kind: 'page',
      status: 200,
      title: 'Connected',
      message: `jira-sync connection ${connection.id} now acts on ${site.name ?? site.url} (${site.url}). You can close this page.`,
      cookie: clear,
    };
  } catch (error) {
    return { ...failurePage(error, request.connectionId), cookie: clear };
  }
}

function failurePage(error: unknown, connectionId: string): ConsentOutcome & { kind: 'page' } {
  if (error instanceof OAuthConsentError) {
    return {
      kind: 'page',
      status: error.status,
      title: 'Not connected',
      message: error.publicMessage,
      error,
    };
  }
  if (error instanceof OAuthTokenError) {
    const retry = error.retryable;
    return {
      kind: 'page',
      status: retry ? 503 : 502,
      title: 'Not connected',
      message: retry
        ? 'Atlassian could not be reached. Start again in a moment.'
        : `Atlassian refused the request (${error.code === 'OAUTH_INVALID_CLIENT' ? 'check the client id and secret' : 'the code may have been used already'}). Start again.`,
      error,
    };
  }
  return {
    kind: 'page',
    status: 500,
    title: 'Not connected',
    message: `Connection ${connectionId} could not be set up. The function log has the details.`,
    error: error instanceof Error ? error : new Error(String(error)),
  };
}
