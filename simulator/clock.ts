/**
 * Time as the simulator sees it. Expiry (OAuth tokens, dynamic webhooks), rate-limit windows, latency,
 * webhook retries, late deliveries and search index lag all read this clock, so tests move time forward
 * with `ManualClock.advance()` instead of sleeping.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once `ms` have passed on this clock; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    // Pending retries and late deliveries must not keep a test process or `npm start` shutdown alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface ManualTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A clock that only moves when told to; timers fire in due order during `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start: number | Date = Date.UTC(2025, 2, 10, 9, 0, 0)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: ManualTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    if (ms <= 0) {
      // Due now: run on the next turn, as a real zero-delay timer would, without needing an advance.
      let cancelled = false;
      setImmediate(() => {
        if (!cancelled) fn();
      });
      return () => {
        cancelled = true;
      };
    }
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers that are waiting, for tests that assert something is scheduled. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing each due timer at its own time, and lets the work they start (HTTP
   * deliveries, retries they schedule) run between timers.
   */
  async advance(ms: number): Promise<void> {
    const until = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.current = until;
    await new Promise((r) => setImmediate(r));
  }
}
