import { AppError } from '../errors/app-error.ts';

/** The flow cannot work as configured against this site (missing field, status, request type…). */
export class FlowMisconfigured extends AppError {
  readonly code = 'FLOW_MISCONFIGURED';
  readonly retryable = false;
}

/**
 * A target issue may have been created by a run that crashed before recording it, and the site's search
 * may not show it yet: wait rather than risk a duplicate.
 */
export class CreatePending extends AppError {
  readonly code = 'CREATE_PENDING';
  readonly retryable = true;

  constructor(
    message: string,
    /** When the grace period ends and a create becomes safe. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The target's workflow has no known path to the mapped status. */
export class NoTransitionPath extends AppError {
  readonly code = 'NO_TRANSITION_PATH';
  readonly retryable = false;
}

/**
 * A transition Jira had just listed was refused: the issue changed status in between (a person, or the
 * other side's sync). Retried with the new state; a refusal that persists ends in the DLQ.
 */
export class StatusMoved extends AppError {
  readonly code = 'STATUS_MOVED';
  readonly retryable = true;
  readonly retryAfterMs = 1000;
}
