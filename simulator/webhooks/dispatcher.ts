import type { Clock } from '../clock.ts';
import type { FaultController } from '../faults.ts';
import type { Random } from '../random.ts';

/**
 * Sends webhook deliveries as Jira does: asynchronously after the change, with Jira Cloud's retry policy
 * (408, 409, 425, 429, 5xx and timeouts are retried a bounded number of times, each retry carrying the
 * same X-Atlassian-Webhook-Identifier and an incremented X-Atlassian-Webhook-Retry), and with the
 * delivery faults of the site applied (drop, duplicate, late, reorder). Delays run on the site's clock.
 */

export interface DeliveryRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Cloud's X-Atlassian-Webhook-Identifier; Data Center and Automation send none. */
  readonly identifier?: string;
  readonly event: string;
  readonly target: { readonly kind: 'admin' | 'dynamic' | 'automation'; readonly id: number };
  readonly retries: boolean;
  readonly timeoutMs: number;
  readonly issueId?: string;
}

export interface DeliveryRecord {
  readonly identifier?: string;
  readonly kind: DeliveryRequest['target']['kind'];
  readonly targetId: number;
  readonly url: string;
  readonly event: string;
  readonly issueId?: string;
  /** 0 for the first attempt, then the retry count Jira puts in X-Atlassian-Webhook-Retry. */
  readonly attempt: number;
  readonly at: number;
  readonly status?: number;
  readonly error?: string;
  /** Set when a fault swallowed the delivery. */
  readonly dropped?: boolean;
}

export interface FailedDelivery {
  readonly identifier: string;
  readonly url: string;
  readonly body: string;
  readonly failureTime: number;
  readonly targetId: number;
  readonly kind: DeliveryRequest['target']['kind'];
}

const RETRYABLE = new Set([408, 409, 425, 429]);
const MAX_RECORDS = 20_000;

export interface DispatcherOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly faults: FaultController;
  /** Delays before each retry; Jira Cloud retries five times within ~30 minutes. */
  readonly retryDelaysMs: readonly number[];
  readonly onRecord?: (record: DeliveryRecord) => void;
}

export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private readonly cancels = new Set<() => void>();
  private immediate = 0;
  private held: { request: DeliveryRequest; attempt: number }[] = [];
  private releaseHeld: (() => void) | undefined;
  private readonly log: DeliveryRecord[] = [];
  private readonly failed: FailedDelivery[] = [];
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** Hands a delivery over; faults decide whether, when and how often it is sent. */
  submit(request: DeliveryRequest): void {
    if (this.stopped) return;
    const fate = this.options.faults.webhookFate();
    if (fate.drop) {
      this.record({ ...this.recordBase(request, 0), dropped: true });
      return;
    }
    const copies = fate.duplicate ? [0, 1] : [0];
    for (const attempt of copies) {
      if (fate.reorderWindowMs > 0 && fate.delayMs === 0) this.hold(request, attempt, fate.reorderWindowMs);
      else this.schedule(request, attempt, fate.delayMs);
    }
  }

  private hold(request: DeliveryRequest, attempt: number, windowMs: number): void {
    this.held.push({ request, attempt });
    if (this.releaseHeld) return;
    const cancel = this.options.clock.setTimer(windowMs, () => {
      this.cancels.delete(cancel);
      this.releaseHeld = undefined;
      const batch = this.options.random.shuffle(this.held);
      this.held = [];
      for (const h of batch) this.schedule(h.request, h.attempt, 0);
    });
    this.releaseHeld = cancel;
    this.cancels.add(cancel);
  }

  private schedule(request: DeliveryRequest, attempt: number, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.immediate++;
      setImmediate(() => {
        this.immediate--;
        this.start(request, attempt);
      });
      return;
    }
    const cancel = this.options.clock.setTimer(delayMs, () => {
      this.cancels.delete(cancel);
      this.start(request, attempt);
    });
    this.cancels.add(cancel);
  }

  private start(request: DeliveryRequest, attempt: number): void {
    if (this.stopped) return;
    const p = this.send(request, attempt).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private recordBase(request: DeliveryRequest, attempt: number): DeliveryRecord {
    return {
      ...(request.identifier ? { identifier: request.identifier } : {}),
      kind: request.target.kind,
      targetId: request.target.id,
      url: request.url,
      event: request.event,
      ...(request.issueId ? { issueId: request.issueId } : {}),
      attempt,
      at: this.options.clock.now(),
    };
  }

  private record(record: DeliveryRecord): void {
    this.log.push(record);
    if (this.log.length > MAX_RECORDS) this.log.splice(0, this.log.length - MAX_RECORDS);
    this.options.onRecord?.(record);
  }

  private async send(request: DeliveryRequest, attempt: number): Promise<void> {
    const headers: Record<string, string> = { ...request.headers };
    if (attempt > 0 && request.identifier) headers['X-Atlassian-Webhook-Retry'] = String(attempt);
    const controller = new AbortController();
    this.controllers.add(controller);
    let timedOut = false;
    const cancelTimeout = this.options.clock.setTimer(request.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(request.url, {
        method: 'POST',
        headers,
        ...(request.body.length > 0 ? { body: request.body } : {}),
        signal: controller.signal,
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      status = res.status;
    } catch (cause) {
      error = timedOut
        ? 'timeout'
        : cause instanceof Error
          ? cause.cause instanceof Error
            ? cause.cause.message
            : cause.message
          : String(cause);
    } finally {
      cancelTimeout();
      this.controllers.delete(controller);
    }
    if (this.stopped) return;
    this.record({
      ...this.recordBase(request, attempt),
      ...(status === undefined ? {} : { status }),
      ...(error ? { error } : {}),
    });
    const ok = status !== undefined && status >= 200 && status < 300;
    if (ok) return;
    const retryable = status === undefined || RETRYABLE.has(status) || status >= 500;
    const delays = this.options.retryDelaysMs;
    if (request.retries && retryable && attempt < delays.length) {
      const base = delays[attempt] ?? 0;
      // ±20 % jitter, from the seeded source so runs replay.
      const jitter = Math.round(base * 0.2 * (this.options.random.next() * 2 - 1));
      this.schedule(request, attempt + 1, Math.max(1, base + jitter));
      return;
    }
    if (request.identifier) {
      this.failed.push({
        identifier: request.identifier,
        url: request.url,
        body: request.body.toString('utf8'),
        failureTime: this.options.clock.now(),
        targetId: request.target.id,
        kind: request.target.kind,
      });
    }
  }

  /** Resolves once nothing is due: deliveries sent now and their answers are in (future retries wait). */
  async settle(): Promise<void> {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (this.immediate === 0 && this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  records(): readonly DeliveryRecord[] {
    return this.log;
  }

  failures(): readonly FailedDelivery[] {
    return this.failed;
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    for (const c of this.controllers) c.abort();
  }
}
