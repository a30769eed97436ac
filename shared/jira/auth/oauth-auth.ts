import type { Connection, OAuthAuthConfig } from '../../config/schema.ts';
import { OAuthTokenError } from '../../oauth/errors.ts';
import {
  accessibleResources,
  type OAuthEndpoints,
  refreshTokens,
  resourceForSite,
  type TokenSet,
  trimSlash,
} from '../../oauth/token-client.ts';
import { JiraCredentialsError } from '../errors.ts';
import type { Clock } from '../token-bucket.ts';
import { type OAuthSecret, parseOAuthSecret } from './credentials.ts';
import { type AuthState, type JiraAuth, readAuthSecret } from './jira-auth.ts';
import type { SecretStore } from './secret-store.ts';

export interface OAuthAuthOptions {
  readonly store: SecretStore;
  readonly clock: Clock;
  /** Timeout of each call to Atlassian's token and accessible-resources endpoints. */
  readonly timeoutMs: number;
  /** Refresh this long before the access token expires, so no call starts with a dying token. */
  readonly refreshSkewMs?: number;
  /**
   * After an `invalid_grant`, how long to wait before re-reading the secret a second time: another
   * container that rotated the refresh token may still be writing it.
   */
  readonly settleMs?: number;
}

/** An OAuth secret holding an access token that is still good for a while. */
type Usable = OAuthSecret & { accessToken: string };

export function oauthEndpoints(auth: OAuthAuthConfig): OAuthEndpoints {
  return { authorizeUrl: auth.authorizeUrl, tokenUrl: auth.tokenUrl, apiUrl: auth.apiUrl };
}

/**
 * OAuth 2.0 (3LO) for one connection. Access tokens are refreshed before they expire; Atlassian rotates the
 * refresh token on every refresh, so the new one is written back to the secret at once for every other
 * container. Refreshes are single-flight per container, start from a fresh read of the secret (another
 * container may have refreshed already), and an `invalid_grant` re-reads the secret and retries once with
 * the newer refresh token, so two containers refreshing together do not lock the connection out.
 */
export function oauthAuth(connection: Connection, options: OAuthAuthOptions): JiraAuth {
  if (connection.auth.type !== 'oauth') throw new Error(`connection ${connection.id} does not use oauth`);
  const auth = connection.auth;
  const endpoints = oauthEndpoints(auth);
  const http = { timeoutMs: options.timeoutMs };
  const skew = options.refreshSkewMs ?? 120_000;
  const settle = options.settleMs ?? 1_000;
  const { clock, store } = options;
  let refreshing: Promise<Usable> | undefined;
  // A rotated secret Secrets Manager did not accept yet; it is the only copy of the new refresh token.
  let unsaved: OAuthSecret | undefined;
  let resolvedCloudId: string | undefined;

  const consentAgain = `remove "refreshToken" from the secret ${auth.secret} and grant access again at /oauth/${connection.id}/start`;

  const load = async (fresh: boolean): Promise<OAuthSecret> => {
    if (unsaved) return unsaved;
    return parseOAuthSecret(await readAuthSecret(store, connection, fresh), connection);
  };

  const usable = (s: OAuthSecret): s is Usable =>
    s.accessToken !== undefined && s.expiresAt !== undefined && Date.parse(s.expiresAt) - clock.now() > skew;

  const save = async (next: OAuthSecret): Promise<void> => {
    try {
      await store.write(auth.secret, JSON.stringify(next));
      unsaved = undefined;
    } catch {
      // The call can go on with the new access token; the write is tried again on the next call.
      unsaved = next;
    }
  };

  const tokenFailure = (error: unknown): Error => {
    if (!(error instanceof OAuthTokenError)) return error instanceof Error ? error : new Error(String(error));
    if (error.retryable) {
      return new JiraCredentialsError(
        connection.id,
        'unavailable',
        `oauth token refresh failed: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    const hint =
      error.code === 'OAUTH_INVALID_CLIENT'
        ? `check clientId and clientSecret in the oauth secret "${auth.secret}"`
        : consentAgain;
    return new JiraCredentialsError(
      connection.id,
      'invalid',
      `oauth token refresh refused (${error.message}); ${hint}`,
      {
        cause: error,
      },
    );
  };

  const refreshWith = async (s: OAuthSecret): Promise<TokenSet> => {
    if (!s.refreshToken) {
      throw new JiraCredentialsError(
        connection.id,
        'invalid',
        `the oauth secret "${auth.secret}" holds no refresh token yet; ${consentAgain}`,
      );
    }
    return refreshTokens(
      endpoints,
      { clientId: s.clientId, clientSecret: s.clientSecret, refreshToken: s.refreshToken },
      http,
    );
  };

  /** Re-reads the secret until its refresh token differs from `used` (twice at most). */
  const rotatedSince = async (used: string | undefined): Promise<OAuthSecret | undefined> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0) await clock.sleep(settle);
      const again = await load(true);
      if (again.refreshToken !== used) return again;
    }
    return undefined;
  };

  const doRefresh = async (failedToken: string | undefined): Promise<Usable> => {
    let base = await load(true);
    if (usable(base) && base.accessToken !== failedToken) return base;
    let tokens: TokenSet;
    try {
      tokens = await refreshWith(base);
    } catch (error) {
      if (!(error instanceof OAuthTokenError && error.code === 'OAUTH_INVALID_GRANT'))
        throw tokenFailure(error);
      const rotated = await rotatedSince(base.refreshToken);
      if (!rotated) throw tokenFailure(error);
      if (usable(rotated) && rotated.accessToken !== failedToken) return rotated;
      base = rotated;
      try {
        tokens = await refreshWith(base);
      } catch (again) {
        throw tokenFailure(again);
      }
    }
    const next: Usable = {
      ...base,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? base.refreshToken,
      expiresAt: new Date(clock.now() + tokens.expiresInSeconds * 1000).toISOString(),
      ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
    };
    await save(next);
    return next;
  };

  const refresh = (failedToken?: string): Promise<Usable> => {
    refreshing ??= doRefresh(failedToken).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const cloudIdOf = async (s: Usable): Promise<string> => {
    if (s.cloudId) return s.cloudId;
    if (resolvedCloudId) return resolvedCloudId;
    let site: Awaited<ReturnType<typeof accessibleResources>>[number] | undefined;
    try {
      site = resourceForSite(await accessibleResources(endpoints, s.accessToken, http), connection.baseUrl);
    } catch (error) {
      throw tokenFailure(error);
    }
    if (!site) {
      throw new JiraCredentialsError(
        connection.id,
        'invalid',
        `the oauth grant does not include the site ${connection.baseUrl}; ${consentAgain} and pick that site`,
      );
    }
    resolvedCloudId = site.id;
    return site.id;
  };

  const stateOf = async (s: Usable): Promise<AuthState> => ({
    baseUrl: `${trimSlash(auth.apiUrl)}/ex/jira/${encodeURIComponent(await cloudIdOf(s))}`,
    authorization: `Bearer ${s.accessToken}`,
  });

  return {
    type: 'oauth',
    async current() {
      if (unsaved) await save(unsaved);
      const s = await load(false);
      return stateOf(usable(s) ? s : await refresh());
    },
    async recover(failed) {
      const failedToken = failed.authorization.replace(/^Bearer /, '');
      const fresh = await load(true);
      if (usable(fresh) && fresh.accessToken !== failedToken) return true;
      await refresh(failedToken);
      return true;
    },
  };
}
