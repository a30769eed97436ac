import type { JiraClient } from './client.ts';
import { readErrorBody } from './error-body.ts';
import {
  JiraAuthError,
  type JiraCallContext,
  JiraConflictError,
  JiraNotFoundError,
  JiraRateLimitError,
  JiraServerError,
  JiraUnexpectedResponse,
  JiraValidationError,
  type RateLimitScope,
} from './errors.ts';
import { forbiddenError } from './permissions.ts';
import type { GateKey } from './rate-gates.ts';
import type { JiraRequest } from './request.ts';

/** One call's progress across its attempts. */
export interface Attempt {
  readonly context: JiraCallContext;
  readonly gate: GateKey;
  readonly replayable: boolean;
  waitedMs: number;
  attempt: number;
  recovered: boolean;
  /** The last rate-limit answer, for the error when the budget runs out. */
  rateLimit?: {
    readonly delayMs: number;
    readonly scope: RateLimitScope;
    readonly reason: string | undefined;
  };
}

/** Jira's answer with the body already read (within the timeout), or still streaming for downloads. */
export interface Answer {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly text: string;
  readonly stream?: ReadableStream<Uint8Array>;
}

/** The typed error for an answer that will not be retried (any more). */
export async function failureOf(
  client: JiraClient,
  request: JiraRequest,
  answer: Answer,
  state: Attempt,
): Promise<Error> {
  const { status } = answer;
  const context = state.context;
  if (status === 401) {
    // Data Center says why a login was refused (AUTHENTICATED_FAILED, AUTHENTICATION_DENIED = CAPTCHA).
    const reason = answer.headers.get('x-seraph-loginreason');
    const fix =
      client.authType === 'oauth'
        ? `if access was revoked, remove "refreshToken" from the secret and authorise again at /oauth/${client.connectionId}/start`
        : 'fix the secret';
    return new JiraAuthError(
      context,
      `Jira refused the ${client.authType} credentials (401${reason ? `, ${reason}` : ''}) even after refetching them; ${fix}`,
      401,
    );
  }
  if (status === 403) return forbiddenError(client, request, context, readErrorBody(answer.text));
  if (status === 404) {
    const what = request.issue === undefined ? request.path : `issue ${request.issue}`;
    return new JiraNotFoundError(context, `${what} does not exist or is not visible to this account`, 404);
  }
  if (status === 409) {
    const body = readErrorBody(answer.text);
    return new JiraConflictError(context, body.errorMessages, body.errors);
  }
  if (status === 400 || status === 413 || status === 422) {
    const body = readErrorBody(answer.text);
    return new JiraValidationError(context, status, body.errorMessages, body.errors);
  }
  if (state.rateLimit && (status === 429 || answer.headers.has('retry-after'))) {
    const { delayMs, scope, reason } = state.rateLimit;
    return new JiraRateLimitError(context, delayMs, scope, reason, status);
  }
  if (status >= 500) return new JiraServerError(context, status);
  return new JiraUnexpectedResponse(context, `unexpected status ${status}`, status);
}
