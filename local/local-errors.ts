import { AppError } from '../shared/errors/app-error.ts';

/** A request body exceeded the local server's cap (API Gateway answers these 413 before any Lambda runs). */
export class BodyTooLargeError extends AppError {
  readonly code = 'LOCAL_BODY_TOO_LARGE';
  readonly retryable = false;

  constructor(readonly limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
  }
}

/** `.local/secrets.json` cannot be read, parsed or written. */
export class SecretsFileError extends AppError {
  readonly code = 'LOCAL_SECRETS_FILE';
  readonly retryable = false;

  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Local secrets file ${file}: ${reason}`, options);
  }
}

/** The installed fauxqs does not look like the version the local stack was written against. */
export class FauxqsIncompatibleError extends AppError {
  readonly code = 'LOCAL_FAUXQS_INCOMPATIBLE';
  readonly retryable = false;
}

/** A piece of the local stack could not start (port in use, handler module broken, ...). */
export class LocalStackStartError extends AppError {
  readonly code = 'LOCAL_STACK_START';
  readonly retryable = false;
}
