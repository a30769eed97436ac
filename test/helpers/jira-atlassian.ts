import type { Canned, Handler, JiraServer, RecordedRequest } from './jira-server.ts';

/**
 * Atlassian's OAuth 2.0 (3LO) side, served on a test JiraServer: `POST /oauth/token` with rotating refresh
 * tokens (each refresh invalidates the token it used, as Atlassian documents) and
 * `GET /oauth/token/accessible-resources`. Jira itself answers under `/ex/jira/{cloudId}` on the same
 * server, so a connection's `tokenUrl` and `apiUrl` both point here.
 */

export interface AtlassianAuthOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly cloudId: string;
  readonly siteUrl: string;
  readonly redirectUri?: string;
}

export interface TokenCall {
  readonly grantType: string;
  readonly outcome: 'issued' | 'invalid_grant' | 'invalid_client';
}

export class AtlassianAuth {
  /** Refresh tokens Atlassian would accept now. */
  readonly refreshTokens = new Set<string>();
  readonly accessTokens = new Set<string>();
  readonly codes = new Map<string, { redirectUri: string }>();
  readonly calls: TokenCall[] = [];
  /** Holds each token answer back (real ms), so concurrent refreshes overlap. */
  holdMs = 0;
  expiresIn = 3600;
  scope = 'read:jira-work write:jira-work offline_access';
  private serial = 0;

  constructor(
    server: JiraServer,
    readonly options: AtlassianAuthOptions,
  ) {
    server.on('POST', '/oauth/token', (req) => this.token(req));
    server.on('GET', '/oauth/token/accessible-resources', (req) =>
      this.accessTokens.has(bearer(req))
        ? {
            status: 200,
            json: [
              {
                id: options.cloudId,
                url: options.siteUrl,
                name: 'acme',
                scopes: this.scope.split(' '),
                avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png',
              },
            ],
          }
        : { status: 401, json: { code: 401, message: 'Unauthorized' } },
    );
  }

  get gateway(): string {
    return `/ex/jira/${this.options.cloudId}`;
  }

  /** A refresh token Atlassian accepts, as if a consent had just happened. */
  grant(): { refreshToken: string; accessToken: string } {
    return this.issue();
  }

  /** Jira behind the gateway: answers 401 to anything but a live access token. */
  guard(answer: Canned | Handler): Handler {
    return async (req) => {
      if (!this.accessTokens.has(bearer(req)))
        return { status: 401, json: { code: 401, message: 'Unauthorized; scope does not match' } };
      return typeof answer === 'function' ? answer(req) : answer;
    };
  }

  /** Revokes every access token (as an admin revoking the app would, before they expire). */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  private issue(): { refreshToken: string; accessToken: string } {
    this.serial += 1;
    const refreshToken = `rt-${this.serial}-${'r'.repeat(20)}`;
    const accessToken = `at-${this.serial}-${'a'.repeat(20)}`;
    this.refreshTokens.add(refreshToken);
    this.accessTokens.add(accessToken);
    return { refreshToken, accessToken };
  }

  private async token(req: RecordedRequest): Promise<Canned> {
    const body = (req.json ?? {}) as Record<string, string | undefined>;
    const grantType = body.grant_type ?? '';
    if (this.holdMs > 0) await new Promise((r) => setTimeout(r, this.holdMs));
    if (body.client_id !== this.options.clientId || body.client_secret !== this.options.clientSecret) {
      this.calls.push({ grantType, outcome: 'invalid_client' });
      return { status: 401, json: { error: 'access_denied', error_description: 'Unauthorized' } };
    }
    let valid = false;
    if (grantType === 'refresh_token' && body.refresh_token && this.refreshTokens.has(body.refresh_token)) {
      this.refreshTokens.delete(body.refresh_token);
      valid = true;
    } else if (grantType === 'authorization_code' && body.code) {
      const code = this.codes.get(body.code);
      this.codes.delete(body.code);
      valid = code !== undefined && code.redirectUri === body.redirect_uri;
    }
    if (!valid) {
      this.calls.push({ grantType, outcome: 'invalid_grant' });
      return {
        status: 403,
        json: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' },
      };
    }
    this.calls.push({ grantType, outcome: 'issued' });
    const tokens = this.issue();
    return {
      status: 200,
      json: {
        access_token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        expires_in: this.expiresIn,
        scope: this.scope,
        token_type: 'Bearer',
      },
    };
  }
}

function bearer(req: RecordedRequest): string {
  return (req.headers.authorization ?? '').replace(/^Bearer /, '');
}
