import { AppError } from '../errors/app-error.ts';

/**
 * A webhook request that jira-sync refuses. `status` is the HTTP answer; `reason` is the short, safe text
 * the caller sees (never a secret, never an internal detail) and the metric dimension.
 */
export class WebhookRejected extends AppError {
  readonly code: string;
  readonly retryable = false;

  constructor(
    readonly status: 400 | 401 | 404 | 413 | 415,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = `WEBHOOK_${reason.toUpperCase().replaceAll('-', '_')}`;
  }
}

/** A dependency (Secrets Manager, SQS) or the ingest itself failed: answer 503 so Jira retries; nothing is lost. */
export class IngestUnavailable extends AppError {
  readonly retryable = true;

  constructor(
    readonly code: 'SECRET_UNAVAILABLE' | 'QUEUE_UNAVAILABLE' | 'INGEST_INTERNAL',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
