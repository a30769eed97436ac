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

  private options: TokenBucketOptions;

  constructor(
    private readonly configured: TokenBucketOptions,
    private readonly clock: Clock,
  ) {
    if (!(configured.ratePerSecond > 0) || !(configured.burst >= 1)) {
      throw new Error('token bucket: ratePerSecond must be > 0 and burst >= 1');
    }
    this.options = configured;
    this.tokens = configured.burst;
    this.updatedAt = clock.now();
  }

  /**
   * Follows a budget the server announced (Data Center's rate-limit headers): never above the configured
   * rate and burst, and back up to them when the server announces more.
   */
  adopt(announced: TokenBucketOptions & { readonly remaining?: number | undefined }): void {
    if (!(announced.ratePerSecond > 0) || !(announced.burst >= 1)) return;
    this.refill();
    const next = {
      ratePerSecond: Math.min(this.configured.ratePerSecond, announced.ratePerSecond),
      burst: Math.min(this.configured.burst, announced.burst),
    };
    this.options = next;
    // The server's count is the truth, and is shared with every other container of the same account; ours
    // refills continuously where Data Center refills in batches, so without this we would run ahead of it.
    const remaining = announced.remaining ?? Number.POSITIVE_INFINITY;
    this.tokens = Math.min(this.tokens, next.burst, remaining);
  }

  /** Back to the configured pace: the server stopped announcing a budget (rate limiting turned off). */
  restore(): void {
    if (this.options === this.configured) return;
    this.refill();
    this.options = this.configured;
  }

  /** The rate and burst it paces to now. */
  get current(): TokenBucketOptions {
    return this.options;
  }

  /** Waits until a request may go. */
  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait);
  }

  /** Reserves one token and returns how long to wait for it (ms). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.options.ratePerSecond) * 1000);
  }

  private refill(): void {
    const now = this.clock.now();
    const refill = ((now - this.updatedAt) / 1000) * this.options.ratePerSecond;
    this.tokens = Math.min(this.options.burst, this.tokens + refill);
    this.updatedAt = now;
  }
}
