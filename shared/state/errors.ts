import { AppError } from '../errors/app-error.ts';

/** Another worker holds the link's lease: it is working on the pair now, so try again in a moment. */
export class LinkBusy extends AppError {
  readonly code = 'LINK_BUSY';
  readonly retryable = true;
  /** The holder's reconcile takes seconds; backing off minutes would only delay this sync. */
  readonly retryAfterMs = 2000;
}

/** The link changed (or the lease was lost) between read and write: the plan is stale, reconcile again. */
export class LinkConflict extends AppError {
  readonly code = 'LINK_CONFLICT';
  readonly retryable = true;
}

/** The state table answered with something that is not a jira-sync item: never guess, stop and report. */
export class CorruptStateItem extends AppError {
  readonly code = 'STATE_CORRUPT';
  readonly retryable = false;
}

/** DynamoDB could not be reached or throttled us. */
export class StateUnavailable extends AppError {
  readonly code = 'STATE_UNAVAILABLE';
  readonly retryable = true;
}
