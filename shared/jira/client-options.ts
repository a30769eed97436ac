import type { SecretStore } from './auth/secret-store.ts';
import type { JiraCallContext } from './errors.ts';
import type { BackoffOptions } from './rate-limit.ts';
import type { Clock, TokenBucketOptions } from './token-bucket.ts';

export interface JiraClientOptions {
  /** Where credentials come from; default Secrets Manager through the shared SDK client. */
  readonly secrets?: SecretStore;
  /** How long a warm container caches a credential secret (default 5 min). */
  readonly secretTtlMs?: number;
  /** Per-call timeout, well under the worker's Lambda timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** Attempts per call, first included, for 429/503 and transient failures of idempotent calls (default 4). */
  readonly maxAttempts?: number;
  /**
   * Longest total time one call may spend waiting for rate limits and backoff (default 15 s). A longer
   * `Retry-After` is not slept through: the call fails with `JiraRateLimitError.retryAfterMs` so the queue
   * can retry later instead of burning the Lambda's time.
   */
  readonly maxRetryWaitMs?: number;
  /** Backoff when Jira gives no delay (default base 500 ms, cap 8 s, full jitter). */
  readonly backoff?: BackoffOptions;
  /** Client-side pacing per connection and container; overrides the connection's `rateLimit` (default 10/s, bursts of 20). */
  readonly rate?: TokenBucketOptions;
  /** OAuth refresh timing (see `oauthAuth`). */
  readonly oauth?: { readonly refreshSkewMs?: number; readonly settleMs?: number };
  readonly clock?: Clock;
  readonly random?: () => number;
  /**
   * Wraps every call (all its attempts): the worker traces Jira calls with it. Must call `run` once and
   * return its result.
   */
  readonly observe?: <T>(call: JiraCallContext, run: () => Promise<T>) => Promise<T>;
  /** Told each time a call waits for a rate limit (learnt from a 429, or Retry-After): for metrics. */
  readonly onRateLimitWait?: (call: JiraCallContext, waitMs: number) => void;
}

export const CLIENT_DEFAULTS = {
  secretTtlMs: 300_000,
  timeoutMs: 10_000,
  maxAttempts: 4,
  maxRetryWaitMs: 15_000,
  backoff: { baseMs: 500, capMs: 8_000 },
  rate: { ratePerSecond: 10, burst: 20 },
} as const;
