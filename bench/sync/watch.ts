import { BenchCheckFailed } from '../latency.ts';

interface Waiter {
  readonly check: () => boolean;
  readonly deadline: number;
  readonly what: string;
  readonly resolve: (at: number) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Times the arrival of a change on the other site by polling the simulator's in-memory state: every turn
 * of the event loop (`setImmediate`, for sequential latency) or every millisecond (`timer`, under load,
 * where spinning would eat the CPU being measured). One loop serves every pending waiter.
 */
export class ArrivalWatch {
  private readonly waiters = new Set<Waiter>();
  private scheduled = false;

  constructor(private readonly mode: 'immediate' | 'timer') {}

  /** Resolves with `performance.now()` of the first poll that sees `check()` hold. */
  arrival(check: () => boolean, what: string, timeoutMs = 15_000): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiters.add({ check, deadline: performance.now() + timeoutMs, what, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiters.size === 0) return;
    this.scheduled = true;
    if (this.mode === 'immediate') setImmediate(() => this.poll());
    else setTimeout(() => this.poll(), 1);
  }

  private poll(): void {
    this.scheduled = false;
    const now = performance.now();
    for (const waiter of this.waiters) {
      if (waiter.check()) {
        this.waiters.delete(waiter);
        waiter.resolve(now);
      } else if (now > waiter.deadline) {
        this.waiters.delete(waiter);
        waiter.reject(new BenchCheckFailed(`timed out waiting for ${waiter.what}`));
      }
    }
    this.schedule();
  }
}
