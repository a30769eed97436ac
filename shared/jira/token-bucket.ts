/** Time seams so pacing and backoff are testable without real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucketOptions {
  /** Sustained requests per second. */
  readonly ratePerSecond: number;
  /** Requests allowed at once after a quiet period. */
  readonly burst: number;
}

/**
 * A client-side token bucket, one per connection and container, so the sync stays under Jira's burst
 * limits instead of discovering them through 429s. Tokens may go negative: each caller reserves its slot
 * at once and sleeps until it comes, which keeps callers in arrival order without a queue.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly clock: Clock,
  ) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new Error('token bucket: ratePerSecond must be > 0 and burst >= 1');
    }
    this.tokens = options.burst;
    this.updatedAt = clock.now();
  }

  /** Waits until a request may go. */
  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait);
  }

  /** Reserves one token and returns how long to wait for it (ms). */
  reserve(): number {
    const now = this.clock.now();
    const refill = ((now - this.updatedAt) / 1000) * this.options.ratePerSecond;
    this.tokens = Math.min(this.options.burst, this.tokens + refill);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.options.ratePerSecond) * 1000);
  }
}
