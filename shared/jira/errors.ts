import { AppError } from '../errors/app-error.ts';

/** Where a failed Jira call came from: enough to find it in logs, never a credential or a body. */
export interface JiraCallContext {
  readonly connectionId: string;
  /** Operation name, e.g. `editIssue`. */
  readonly operation: string;
  readonly method: string;
  /** Path without the query string (queries may carry JQL, never secrets, but paths are enough). */
  readonly path: string;
}

/** Base of every error a Jira call raises. `status` is Jira's HTTP status when there was an answer. */
export abstract class JiraError extends AppError {
  readonly connectionId: string;
  readonly operation: string;

  constructor(
    readonly context: JiraCallContext,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${context.operation} on connection ${context.connectionId}: ${message}`, options);
    this.connectionId = context.connectionId;
    this.operation = context.operation;
  }
}

/** 401 after the credentials were refetched once. A human must fix the secret (or redo OAuth consent). */
export class JiraAuthError extends JiraError {
  readonly code = 'JIRA_UNAUTHORIZED';
  readonly retryable = false;
}

/** 403. `missingPermissions` and `project` come from mypermissions when the diagnosis could run. */
export class JiraPermissionError extends JiraError {
  readonly code = 'JIRA_FORBIDDEN';
  readonly retryable = false;

  constructor(
    context: JiraCallContext,
    message: string,
    readonly project: string | undefined,
    readonly missingPermissions: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(context, message, 403, options);
  }
}

/** 404: the issue (or other resource) does not exist or the account cannot see it. */
export class JiraNotFoundError extends JiraError {
  readonly code = 'JIRA_NOT_FOUND';
  readonly retryable = false;
}

/** Jira's error body: `errorMessages` (general) and `errors` (per field), kept as Jira sent them. */
export interface JiraErrorBody {
  readonly errorMessages: readonly string[];
  readonly errors: Readonly<Record<string, string>>;
}

/** 400, 413 or 422: Jira refused the request as invalid; sending it again cannot succeed. */
export class JiraValidationError extends JiraError implements JiraErrorBody {
  readonly code = 'JIRA_INVALID_REQUEST';
  readonly retryable = false;

  constructor(
    context: JiraCallContext,
    status: number,
    readonly errorMessages: readonly string[],
    readonly errors: Readonly<Record<string, string>>,
  ) {
    super(
      context,
      `Jira refused the request (${status}): ${describeErrorBody({ errorMessages, errors })}`,
      status,
    );
  }
}

/** 409: a conflicting concurrent update. Reading the issue again and retrying can succeed. */
export class JiraConflictError extends JiraError implements JiraErrorBody {
  readonly code = 'JIRA_CONFLICT';
  readonly retryable = true;

  constructor(
    context: JiraCallContext,
    readonly errorMessages: readonly string[],
    readonly errors: Readonly<Record<string, string>>,
  ) {
    super(context, `conflicting update (409): ${describeErrorBody({ errorMessages, errors })}`, 409);
  }
}

/** What a rate limit applies to, from `RateLimit-Reason`: one issue's writes, one endpoint, or everything. */
export type RateLimitScope = 'issue' | 'endpoint' | 'connection';

/**
 * 429 (or a 503 with `Retry-After`) that outlasted the client's own waiting budget, or a call refused
 * locally because an earlier answer paused it. `retryAfterMs` says when trying again makes sense.
 */
export class JiraRateLimitError extends JiraError {
  readonly code = 'JIRA_RATE_LIMITED';
  readonly retryable = true;

  constructor(
    context: JiraCallContext,
    readonly retryAfterMs: number,
    readonly scope: RateLimitScope,
    readonly reason: string | undefined,
    status?: number,
  ) {
    super(
      context,
      `rate limited${reason ? ` (${reason})` : ''}; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      status,
    );
  }
}

const TRANSIENT_SERVER_STATUSES = new Set([500, 502, 503, 504]);

/** 5xx. 500/502/503/504 are transient; 501 or 505 will not change by waiting. */
export class JiraServerError extends JiraError {
  readonly code = 'JIRA_SERVER_ERROR';
  readonly retryable: boolean;

  constructor(context: JiraCallContext, status: number) {
    super(context, `Jira answered ${status}`, status);
    this.retryable = TRANSIENT_SERVER_STATUSES.has(status);
  }
}

/** The connection failed (DNS, refused, reset, TLS) before Jira answered. */
export class JiraNetworkError extends JiraError {
  readonly code = 'JIRA_NETWORK';
  readonly retryable = true;
}

/** Jira did not answer within the call's timeout. */
export class JiraTimeoutError extends JiraError {
  readonly code = 'JIRA_TIMEOUT';
  readonly retryable = true;
}

/** Jira answered something this client cannot read: an undocumented status, not JSON, or the wrong shape. */
export class JiraUnexpectedResponse extends JiraError {
  readonly code = 'JIRA_UNEXPECTED_RESPONSE';
  readonly retryable = false;
}

/**
 * The connection's credentials cannot be used: the secret is missing, unreadable or malformed. Messages
 * name the secret and the keys at fault, never a value.
 */
export class JiraCredentialsError extends AppError {
  readonly code: 'JIRA_CREDENTIALS_UNAVAILABLE' | 'JIRA_CREDENTIALS_INVALID';
  readonly retryable: boolean;

  constructor(
    readonly connectionId: string,
    kind: 'unavailable' | 'invalid',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`connection ${connectionId}: ${message}`, options);
    this.code = kind === 'unavailable' ? 'JIRA_CREDENTIALS_UNAVAILABLE' : 'JIRA_CREDENTIALS_INVALID';
    // Secrets Manager being unreachable passes; a malformed secret needs a human.
    this.retryable = kind === 'unavailable';
  }
}

export function describeErrorBody(body: JiraErrorBody): string {
  const parts = [
    ...body.errorMessages,
    ...Object.entries(body.errors).map(([field, message]) => `${field}: ${message}`),
  ];
  return parts.length > 0 ? parts.join('; ') : '(no details)';
}
