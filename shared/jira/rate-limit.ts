import type { RateLimitScope } from './errors.ts';

/** What a 429 (or a 503 with `Retry-After`) asks of us. */
export interface RateLimitAdvice {
  /** How long to wait before the next try, when Jira said; undefined means "back off on your own". */
  readonly delayMs: number | undefined;
  /** `RateLimit-Reason`, e.g. `jira-burst-based`, `jira-per-issue-on-write`, `jira-quota-tenant-based`. */
  readonly reason: string | undefined;
  readonly scope: RateLimitScope;
}

/**
 * Reads Jira's rate-limit headers: `Retry-After` (seconds; an HTTP date is accepted too), else
 * `X-RateLimit-Reset` (an ISO-8601 instant such as `2026-03-02T10:15Z`), and `RateLimit-Reason` to know
 * what the limit covers: a per-issue write limit pauses that issue only, a burst limit that endpoint only,
 * anything else (quotas, no reason) the whole connection.
 */
export function readRateLimit(headers: Headers, nowMs: number): RateLimitAdvice {
  const reason = headers.get('ratelimit-reason')?.trim() || undefined;
  return { delayMs: retryDelay(headers, nowMs), reason, scope: scopeOf(reason) };
}

function scopeOf(reason: string | undefined): RateLimitScope {
  if (reason === 'jira-per-issue-on-write') return 'issue';
  if (reason === 'jira-burst-based') return 'endpoint';
  return 'connection';
}

function retryDelay(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset) {
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return undefined;
}

export interface BackoffOptions {
  /** First ceiling in ms; doubles with each attempt. */
  readonly baseMs: number;
  /** Highest ceiling in ms. */
  readonly capMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a random
 * delay in [0, min(cap, base * 2^attempt)), so clients that failed together do not retry together.
 */
export function fullJitterBackoff(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Share of Data Center's announced fill rate the client paces to (see `announcedBudget`). */
export const DC_PACE_SHARE = 0.95;

/**
 * The budget Jira Data Center announces on every answer when an admin turned rate limiting on: a token
 * bucket per user of `X-RateLimit-Limit` tokens, refilled with `X-RateLimit-FillRate` tokens every
 * `X-RateLimit-Interval-Seconds` (Atlassian, "Adjusting your code for rate limiting"), with the tokens
 * `X-RateLimit-Remaining` when it answered. Undefined when the headers are absent or malformed.
 */
export function announcedBudget(
  headers: Headers,
): { ratePerSecond: number; burst: number; remaining: number | undefined } | undefined {
  const number = (name: string) => {
    const raw = headers.get(name)?.trim();
    const value = raw ? Number(raw) : Number.NaN;
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const limit = number('x-ratelimit-limit');
  const fillRate = number('x-ratelimit-fillrate');
  const interval = number('x-ratelimit-interval-seconds');
  if (!limit || !fillRate || !interval) return undefined;
  return {
    // Data Center refills in batches at interval boundaries we cannot see: pacing at the full fill rate
    // empties its bucket just before a batch now and then, and each time costs a 429 and a whole second of
    // retry-after. A twentieth below keeps a token in hand.
    ratePerSecond: (fillRate / interval) * DC_PACE_SHARE,
    burst: Math.max(1, Math.floor(limit)),
    remaining: number('x-ratelimit-remaining'),
  };
}
