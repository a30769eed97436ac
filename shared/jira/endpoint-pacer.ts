import type { Clock } from './token-bucket.ts';

export interface EndpointPacerOptions {
  /** The connection's own rate: an endpoint paced back up to it needs no pacing of its own. */
  readonly ceilingPerSecond: number;
  /** Share of the rate kept after a burst-limit 429 (default 0.7). */
  readonly decrease?: number;
  /**
   * Growth per second without a 429, as a share of the rate set by the last decrease, or of a quarter of
   * the ceiling when that is more (default 0.005). Below the last good rate it grows by a tenth per
   * second instead, so a run of 429s that were not about our pace does not leave the endpoint crawling.
   */
  readonly increasePerSecond?: number;
  /** Lowest rate an endpoint is paced to (default a tenth of the ceiling, at least 0.5/s). */
  readonly floorPerSecond?: number;
}

interface Paced {
  /** Rate right after the last decrease, and when that was. */
  readonly baseRate: number;
  readonly decreasedAt: number;
  /**
   * A rate the endpoint took without a 429 for GOOD_AFTER_MS. Below it the rate climbs back fast (a run of
   * 429s that were not about our pace must not leave the endpoint crawling for minutes); above it, slowly.
   */
  readonly goodRate: number;
  /** A 429 before this instant answers a call sent before the decrease took effect: not counted again. */
  readonly settledAt: number;
  tokens: number;
  updatedAt: number;
}

/** Only the sends of the last WINDOW_MS tell the rate an endpoint was getting when it was limited. */
const WINDOW_MS = 2_000;
const MIN_CALLS_TO_LEARN = 3;
/** How long a rate must hold without a 429 to count as good. */
const GOOD_AFTER_MS = 10_000;
/** Growth per second below the good rate. */
const FAST_GROWTH = 1.1;

/**
 * Learns each endpoint's budget from Jira's burst-limit 429s (`jira-burst-based`: per tenant, endpoint and
 * method, with no published figures) and paces calls to that endpoint under it: additive increase,
 * multiplicative decrease, as TCP does. The connection's token bucket alone cannot do this, because its
 * budget covers every endpoint together: a burst on one endpoint passes it while Jira refuses it, and
 * the calls a 429 held back would all go again at once when the pause ends. Until an endpoint has been
 * limited it is not paced at all, so nothing is slowed down on a site that never limits.
 */
export class EndpointPacer {
  private readonly paced = new Map<string, Paced>();
  /** Per endpoint, how many decreases so far: a slot reserved before one was planned at a stale rate. */
  private readonly decreases = new Map<string, number>();
  private readonly sends = new Map<string, number[]>();
  private readonly decrease: number;
  private readonly increasePerSecond: number;
  private readonly floor: number;

  constructor(
    private readonly options: EndpointPacerOptions,
    private readonly clock: Clock,
  ) {
    this.decrease = options.decrease ?? 0.7;
    this.increasePerSecond = options.increasePerSecond ?? 0.005;
    this.floor = options.floorPerSecond ?? Math.max(0.5, options.ceilingPerSecond / 10);
  }

  /** Reserves the endpoint's next slot; how long to wait for it (ms). Unpaced endpoints never wait. */
  reserve(endpoint: string): number {
    const now = this.clock.now();
    const wait = this.waitFor(endpoint, now);
    this.noteSend(endpoint, now + wait);
    return wait;
  }

  private waitFor(endpoint: string, now: number): number {
    const p = this.paced.get(endpoint);
    if (!p) return 0;
    const rate = this.rateOf(p, now);
    if (rate >= this.options.ceilingPerSecond) {
      this.paced.delete(endpoint);
      return 0;
    }
    // One token at most: no bursts on an endpoint that has been limited.
    this.refill(p, now, rate);
    p.tokens -= 1;
    const deficit = p.tokens >= 0 ? 0 : (-p.tokens / rate) * 1000;
    return Math.ceil(Math.max(0, p.updatedAt - now) + deficit);
  }

  /** Gives back the slot just reserved (the caller will not wait that long), so later calls move up. */
  cancel(endpoint: string): void {
    const p = this.paced.get(endpoint);
    if (p) p.tokens = Math.min(1, p.tokens + 1);
    this.sends.get(endpoint)?.pop();
  }

  /** A burst-limit 429 on the endpoint, whose calls Jira holds back until `pausedUntil`. */
  limited(endpoint: string, pausedUntil: number): void {
    const now = this.clock.now();
    const p = this.paced.get(endpoint);
    if (p && now < p.settledAt) return;
    const observed = this.observed(endpoint, now);
    // The endpoint's budget is the tenant's, which other apps share: a 429 after a call or two of ours
    // says nothing about our rate (and while a pause holds our calls back, we send few), so the pause it
    // brought is all we can do about it.
    if (observed * (WINDOW_MS / 1000) < MIN_CALLS_TO_LEARN) return;
    const current = p ? this.rateOf(p, now) : this.options.ceilingPerSecond;
    const rate = Math.max(this.floor, Math.min(current, observed) * this.decrease);
    const resumeAt = Math.max(now, pausedUntil);
    this.decreases.set(endpoint, this.epoch(endpoint) + 1);
    this.paced.set(endpoint, {
      baseRate: rate,
      decreasedAt: resumeAt,
      goodRate: this.goodRateAfter(p, now, current, rate),
      // Calls already sent (or reserved) at the old rate may still be refused; the first one after the
      // pause plus one slot at the new rate is the earliest 429 that says the new rate is too high.
      settledAt: resumeAt + 1000 / rate,
      tokens: 1,
      updatedAt: resumeAt,
    });
  }

  /**
   * Changes each time the endpoint's rate is decreased. A caller that waited for a slot compares it with
   * the value before it reserved: if it changed, the slot belongs to the old rate and it reserves again.
   */
  epoch(endpoint: string): number {
    return this.decreases.get(endpoint) ?? 0;
  }

  /** The rate an endpoint is paced to now, or undefined when it is not paced. */
  rate(endpoint: string): number | undefined {
    const p = this.paced.get(endpoint);
    return p ? this.rateOf(p, this.clock.now()) : undefined;
  }

  /**
   * The first decrease's rate is presumed good. A rate that held for GOOD_AFTER_MS becomes good; a good
   * rate refused before it held is lowered with the decrease.
   */
  private goodRateAfter(p: Paced | undefined, now: number, current: number, next: number): number {
    if (!p) return next;
    if (now - p.decreasedAt >= GOOD_AFTER_MS) return Math.max(p.goodRate, p.baseRate);
    return current >= p.goodRate ? Math.max(next, current * this.decrease) : p.goodRate;
  }

  private rateOf(p: Paced, now: number): number {
    let seconds = Math.max(0, now - p.decreasedAt) / 1000;
    let base = p.baseRate;
    if (base < p.goodRate) {
      // Back to the good rate quickly, then on as from there.
      const toGood = Math.log(p.goodRate / base) / Math.log(FAST_GROWTH);
      if (seconds < toGood) return base * FAST_GROWTH ** seconds;
      seconds -= toGood;
      base = p.goodRate;
    }
    const step = Math.max(base, this.options.ceilingPerSecond / 4) * this.increasePerSecond;
    return base + step * seconds;
  }

  private refill(p: Paced, now: number, rate: number): void {
    const elapsed = Math.max(0, now - p.updatedAt) / 1000;
    p.tokens = Math.min(1, p.tokens + elapsed * rate);
    p.updatedAt = Math.max(p.updatedAt, now);
  }

  /** Remembers when a call goes (its reserved slot, which may lie ahead), forgetting the old ones. */
  private noteSend(endpoint: string, at: number): void {
    let times = this.sends.get(endpoint);
    if (!times) {
      times = [];
      this.sends.set(endpoint, times);
    }
    times.push(at);
    const horizon = this.clock.now() - WINDOW_MS;
    while (times.length > 0 && (times[0] ?? horizon) <= horizon) times.shift();
  }

  /** Calls per second the endpoint was sent over the last window. */
  private observed(endpoint: string, now: number): number {
    const times = (this.sends.get(endpoint) ?? []).filter((t) => t > now - WINDOW_MS && t <= now);
    return times.length / (WINDOW_MS / 1000);
  }
}
