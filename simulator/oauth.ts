import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

/**
 * A local stand-in for Atlassian's OAuth 2.0 (3LO) authorization server: authorization codes, access
 * tokens that expire after an hour, and rotating refresh tokens (each refresh returns a new refresh token
 * and disables the one used; reusing it is `invalid_grant`, as a second concurrent refresher sees).
 * Grants are per Atlassian account (accountId), which may exist on several simulated Cloud sites.
 */

export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface AccessGrant {
  readonly accountId: string;
  readonly clientId: string;
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: number;
}

export type TokenResult =
  | {
      readonly ok: true;
      readonly body: {
        access_token: string;
        refresh_token?: string;
        expires_in: number;
        scope: string;
        token_type: 'Bearer';
      };
    }
  | {
      readonly ok: false;
      readonly status: number;
      readonly body: { error: string; error_description: string };
    };

const ACCESS_TTL_MS = 3_600_000;
const REFRESH_INACTIVITY_MS = 90 * 24 * 3_600_000;
const CODE_TTL_MS = 10 * 60_000;

interface CodeGrant {
  readonly clientId: string;
  readonly accountId: string;
  readonly scopes: ReadonlySet<string>;
  readonly redirectUri: string | undefined;
  readonly expiresAt: number;
}

interface RefreshGrant {
  readonly clientId: string;
  readonly accountId: string;
  readonly scopes: ReadonlySet<string>;
  readonly lastUsed: number;
}

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

export class OAuthAuthority {
  private readonly clients = new Map<string, OAuthClient>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly access = new Map<string, AccessGrant>();
  private readonly refresh = new Map<string, RefreshGrant>();
  readonly stats = { refreshes: 0, invalidGrants: 0 };

  constructor(private readonly clock: Clock) {}

  registerClient(client: OAuthClient): void {
    this.clients.set(client.clientId, client);
  }

  hasClient(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  /** The user consented: an authorization code for the client, as `/authorize` redirects with. */
  issueCode(input: {
    clientId: string;
    accountId: string;
    scopes: readonly string[];
    redirectUri?: string;
  }): string {
    const code = token('code-');
    this.codes.set(code, {
      clientId: input.clientId,
      accountId: input.accountId,
      scopes: new Set(input.scopes),
      redirectUri: input.redirectUri,
      expiresAt: this.clock.now() + CODE_TTL_MS,
    });
    return code;
  }

  private client(clientId: unknown, clientSecret: unknown): OAuthClient | undefined {
    const client = typeof clientId === 'string' ? this.clients.get(clientId) : undefined;
    return client && client.clientSecret === clientSecret ? client : undefined;
  }

  private issue(clientId: string, accountId: string, scopes: ReadonlySet<string>): TokenResult {
    const accessToken = token('sim-at-');
    this.access.set(accessToken, {
      accountId,
      clientId,
      scopes,
      expiresAt: this.clock.now() + ACCESS_TTL_MS,
    });
    const body: Extract<TokenResult, { ok: true }>['body'] = {
      access_token: accessToken,
      expires_in: ACCESS_TTL_MS / 1000,
      scope: [...scopes].join(' '),
      token_type: 'Bearer',
    };
    if (scopes.has('offline_access')) {
      const refreshToken = token('sim-rt-');
      this.refresh.set(refreshToken, { clientId, accountId, scopes, lastUsed: this.clock.now() });
      body.refresh_token = refreshToken;
    }
    return { ok: true, body };
  }

  private invalidGrant(description: string): TokenResult {
    this.stats.invalidGrants++;
    return { ok: false, status: 403, body: { error: 'invalid_grant', error_description: description } };
  }

  /** `POST /oauth/token` (JSON or form body). */
  token(params: Record<string, unknown>): TokenResult {
    const client = this.client(params.client_id, params.client_secret);
    if (!client)
      return { ok: false, status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } };
    if (params.grant_type === 'authorization_code') {
      const code = typeof params.code === 'string' ? this.codes.get(params.code) : undefined;
      if (typeof params.code === 'string') this.codes.delete(params.code);
      if (!code || code.clientId !== client.clientId || code.expiresAt <= this.clock.now()) {
        return this.invalidGrant('Invalid authorization code');
      }
      if (code.redirectUri !== undefined && params.redirect_uri !== code.redirectUri) {
        return this.invalidGrant('The redirect_uri does not match the authorization request.');
      }
      return this.issue(client.clientId, code.accountId, code.scopes);
    }
    if (params.grant_type === 'refresh_token') {
      const presented = typeof params.refresh_token === 'string' ? params.refresh_token : '';
      const grant = this.refresh.get(presented);
      if (
        !grant ||
        grant.clientId !== client.clientId ||
        grant.lastUsed + REFRESH_INACTIVITY_MS <= this.clock.now()
      ) {
        return this.invalidGrant('Unknown or invalid refresh token.');
      }
      // Rotation: the presented token is spent, whoever comes second gets invalid_grant.
      this.refresh.delete(presented);
      this.stats.refreshes++;
      return this.issue(client.clientId, grant.accountId, grant.scopes);
    }
    return {
      ok: false,
      status: 400,
      body: {
        error: 'unsupported_grant_type',
        error_description: `Grant type ${String(params.grant_type)} is not supported.`,
      },
    };
  }

  /** The grant behind an access token, or why it is refused. */
  resolve(accessToken: string): AccessGrant | 'expired' | undefined {
    const grant = this.access.get(accessToken);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.clock.now()) return 'expired';
    return grant;
  }

  /** Test helper: tokens without the consent dance. */
  grant(input: {
    clientId: string;
    accountId: string;
    scopes: readonly string[];
  }): Extract<TokenResult, { ok: true }>['body'] {
    const result = this.issue(input.clientId, input.accountId, new Set(input.scopes));
    if (!result.ok) throw new Error('unreachable');
    return result.body;
  }
}

/** The OAuth scope a platform or Service Management call needs (classic scopes). */
export function requiredScope(method: string, path: string): string {
  const write = method !== 'GET' && method !== 'HEAD';
  if (path.includes('/rest/servicedeskapi/')) {
    if (/\/customer(\/|$)/.test(path)) return 'manage:servicedesk-customer';
    return write ? 'write:servicedesk-request' : 'read:servicedesk-request';
  }
  if (/\/rest\/api\/[^/]+\/webhook/.test(path)) return 'manage:jira-webhook';
  if (/\/rest\/api\/[^/]+\/(user|myself)(\/|$|\?)/.test(path))
    return write ? 'manage:jira-configuration' : 'read:jira-user';
  if (write && /\/rest\/api\/[^/]+\/(project|field|priority|issuetype|issueLinkType)(\/[^/]+)?$/.test(path)) {
    return 'manage:jira-configuration';
  }
  return write ? 'write:jira-work' : 'read:jira-work';
}
