import { AppError } from '../shared/errors/app-error.ts';

/**
 * An answer Jira gives with an error status. Domain operations throw it; the HTTP layer renders it as
 * Jira's `ErrorCollection` (platform) or `ErrorResponse` (Service Management), and the programmatic API
 * lets it surface to the test, so a human without a permission fails exactly as a REST caller would.
 */
export class JiraError extends AppError {
  readonly code = 'SIM_JIRA_ERROR';
  readonly retryable: boolean;

  constructor(
    readonly status: number,
    readonly errorMessages: readonly string[],
    readonly errors: Readonly<Record<string, string>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(
      `${status} ${[...errorMessages, ...Object.entries(errors).map(([k, v]) => `${k}: ${v}`)].join('; ')}`,
    );
    this.retryable = status === 429 || status >= 500;
  }

  static badRequest(message: string | readonly string[], errors: Record<string, string> = {}): JiraError {
    return new JiraError(400, typeof message === 'string' ? [message] : message, errors);
  }

  static fieldErrors(errors: Record<string, string>): JiraError {
    return new JiraError(400, [], errors);
  }

  static notFound(message: string): JiraError {
    return new JiraError(404, [message]);
  }

  static forbidden(message: string): JiraError {
    return new JiraError(403, [message]);
  }

  static unauthorized(
    message = 'You are not authenticated. Authentication required to perform this operation.',
  ): JiraError {
    return new JiraError(401, [message]);
  }

  static issueNotFound(): JiraError {
    return JiraError.notFound('Issue does not exist or you do not have permission to see it.');
  }
}

/** The programmatic or admin API was used wrongly (unknown site, user, project, bad seed). */
export class SimulatorUsageError extends AppError {
  readonly code = 'SIM_USAGE';
  readonly retryable = false;
}

/** A simulated site, the OAuth gateway or the admin API could not start (port in use, bad options). */
export class SimulatorStartError extends AppError {
  readonly code = 'SIM_START';
  readonly retryable = false;
}

/** Contract violations collected during a test, thrown by `assertNoContractViolations()`. */
export class ContractViolationError extends AppError {
  readonly code = 'SIM_CONTRACT_VIOLATION';
  readonly retryable = false;
}
