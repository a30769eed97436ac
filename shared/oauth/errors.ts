import { AppError } from '../errors/app-error.ts';

export type OAuthTokenErrorCode =
  | 'OAUTH_INVALID_GRANT'
  | 'OAUTH_INVALID_CLIENT'
  | 'OAUTH_UNAVAILABLE'
  | 'OAUTH_BAD_RESPONSE';

/**
 * Atlassian's token or accessible-resources endpoint refused or failed. `invalid_grant` means the code or
 * refresh token is used up or revoked; `invalid_client` a wrong client id or secret. Messages carry
 * Atlassian's `error` / `error_description`, never a token.
 */
export class OAuthTokenError extends AppError {
  readonly retryable: boolean;

  constructor(
    readonly code: OAuthTokenErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = code === 'OAUTH_UNAVAILABLE';
  }
}

/** The consent flow cannot go on; `status` and `publicMessage` are what the browser gets. */
export class OAuthConsentError extends AppError {
  readonly code: string;
  readonly retryable = false;

  constructor(
    readonly status: 400 | 404 | 409 | 500 | 502 | 503,
    readonly reason: string,
    readonly publicMessage: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(options?.detail ? `${publicMessage} (${options.detail})` : publicMessage, options);
    this.code = `OAUTH_${reason.toUpperCase().replaceAll('-', '_')}`;
  }
}
