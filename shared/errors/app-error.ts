/**
 * Base of every typed error in jira-sync. `retryable` tells the queue layer whether trying again later can
 * succeed; `code` is a stable, greppable identifier for logs, metrics and the DLQ reason.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
