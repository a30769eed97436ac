import * as z from 'zod';
import type { Clock } from './clock.ts';
import { JiraError } from './errors.ts';
import { rateLimitReset } from './model/dates.ts';
import type { Random } from './random.ts';

/**
 * Faults a site injects, switchable at run time (programmatic API and admin API). Probabilistic faults
 * draw from the site's seeded random source, so a campaign replays from its seed; `{next: n}` applies a
 * fault to exactly the next n occurrences instead.
 */

const chanceSchema = z.union([
  z.number().min(0).max(1),
  z.strictObject({
    probability: z.number().min(0).max(1).optional(),
    next: z.number().int().min(0).optional(),
  }),
]);

export const faultsSchema = z.strictObject({
  /** Added to every REST answer. */
  latency: z
    .strictObject({ ms: z.number().int().min(0).max(120_000), jitterMs: z.number().int().min(0).default(0) })
    .optional(),
  /** The next `count` matching requests fail with `status` (5xx bursts, 429 storms). */
  errors: z
    .strictObject({
      status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
      count: z.number().int().min(1),
      retryAfterSeconds: z.number().int().min(0).optional(),
      /** Only requests whose method and path (substring) match. */
      method: z.string().optional(),
      path: z.string().optional(),
    })
    .optional(),
  rateLimit: z
    .strictObject({
      /** Jira's burst limit, per endpoint and method, as a token bucket. */
      burst: z
        .strictObject({ capacity: z.number().int().min(1), refillPerSecond: z.number().positive() })
        .optional(),
      /** Jira's per-issue write limit: 20 writes per 2 s and 100 per 30 s to one issue. */
      perIssueWrite: z.boolean().default(false),
      /**
       * Data Center's rate limiting (8.6+, set by an admin): a token bucket per user holding at most
       * `capacity` tokens, given `fillRate` new ones every `intervalSeconds`. Every answer to a limited
       * user carries X-RateLimit-Limit / -Remaining / -Interval-Seconds / -FillRate and retry-after.
       */
      user: z
        .strictObject({
          capacity: z.number().int().min(1),
          fillRate: z.number().int().min(1),
          intervalSeconds: z.number().int().min(1),
        })
        .optional(),
    })
    .optional(),
  webhooks: z
    .strictObject({
      drop: chanceSchema.optional(),
      duplicate: chanceSchema.optional(),
      /** Deliveries are held for `windowMs` and released in shuffled order. */
      reorder: z.strictObject({ windowMs: z.number().int().min(1) }).optional(),
      /** Deliveries arrive `delayMs` late (Jira's retries arrive up to ~30 minutes late). */
      late: z
        .strictObject({
          delayMs: z.number().int().min(1),
          probability: z.number().min(0).max(1).optional(),
          next: z.number().int().min(0).optional(),
        })
        .optional(),
    })
    .optional(),
  /** A change stays invisible to JQL search for this long. */
  searchIndexLagMs: z.number().int().min(0).optional(),
  /**
   * A write is carried out but its answer never reaches the caller (the connection drops): to the sync this
   * is exactly a worker that died right after that write, which is what crash campaigns need.
   */
  lostWriteResponses: chanceSchema.optional(),
});

export type Faults = z.input<typeof faultsSchema>;
type ParsedFaults = z.output<typeof faultsSchema>;
type Chance = z.output<typeof chanceSchema>;

export interface FaultStats {
  errorsInjected: number;
  rateLimited: number;
  webhooksDropped: number;
  webhooksDuplicated: number;
  webhooksDelayed: number;
  writeResponsesLost: number;
}

const PER_ISSUE_WINDOWS = [
  { limit: 20, windowMs: 2_000 },
  { limit: 100, windowMs: 30_000 },
] as const;

export class FaultController {
  private faults: ParsedFaults = {};
  private errorsLeft = 0;
  private chanceLeft = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Per user: tokens, and when the current interval started. */
  private readonly userBuckets = new Map<string, { tokens: number; at: number }>();
  private readonly issueWrites = new Map<string, number[]>();
  readonly stats: FaultStats = {
    errorsInjected: 0,
    rateLimited: 0,
    webhooksDropped: 0,
    webhooksDuplicated: 0,
    webhooksDelayed: 0,
    writeResponsesLost: 0,
  };

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  /** Replaces every fault. */
  set(faults: Faults): void {
    this.faults = faultsSchema.parse(faults);
    this.errorsLeft = this.faults.errors?.count ?? 0;
    this.chanceLeft = new Map();
    const w = this.faults.webhooks;
    for (const [name, c] of [
      ['drop', w?.drop],
      ['duplicate', w?.duplicate],
      ['late', w?.late],
      ['lostWrite', this.faults.lostWriteResponses],
    ] as const) {
      if (c !== undefined && typeof c === 'object' && c.next !== undefined) this.chanceLeft.set(name, c.next);
    }
    this.buckets.clear();
    this.userBuckets.clear();
    this.issueWrites.clear();
  }

  /** Changes the named faults, keeping the others. */
  update(faults: Faults): void {
    this.set({ ...this.current(), ...faults });
  }

  clear(): void {
    this.set({});
  }

  current(): Faults {
    return JSON.parse(JSON.stringify(this.faults)) as Faults;
  }

  latencyMs(): number {
    const l = this.faults.latency;
    if (!l) return 0;
    return l.ms + (l.jitterMs > 0 ? this.random.int(0, l.jitterMs) : 0);
  }

  indexLagMs(): number {
    return this.faults.searchIndexLagMs ?? 0;
  }

  /** A 5xx/429 burst or a rate limit for this request, or undefined to let it through. */
  check(request: {
    method: string;
    path: string;
    route: string;
    issueId?: string;
    write: boolean;
    /** The authenticated user's handle, for Data Center's per-user limit. */
    user?: string;
  }): JiraError | undefined {
    const now = this.clock.now();
    const userLimit = this.userLimit(request.user, now);
    if (userLimit) {
      if (userLimit.bucket.tokens < 1) {
        this.stats.rateLimited++;
        const headers = this.userHeaders(userLimit.bucket, userLimit.limit, now);
        // Data Center sends no RateLimit-Reason: its limit covers everything the user does.
        return new JiraError(429, ['Rate limit exceeded.'], {}, headers);
      }
      userLimit.bucket.tokens -= 1;
    }
    const e = this.faults.errors;
    if (
      e &&
      this.errorsLeft > 0 &&
      (e.method === undefined || e.method.toUpperCase() === request.method) &&
      (e.path === undefined || request.path.includes(e.path))
    ) {
      this.errorsLeft--;
      this.stats.errorsInjected++;
      const headers: Record<string, string> = {};
      if (e.retryAfterSeconds !== undefined) headers['Retry-After'] = String(e.retryAfterSeconds);
      if (e.status === 429) {
        headers['RateLimit-Reason'] = 'jira-burst-based';
        headers['X-RateLimit-Reset'] = rateLimitReset(now + (e.retryAfterSeconds ?? 1) * 1000);
      }
      const message = e.status === 429 ? 'Rate limit exceeded.' : 'Internal server error (simulated fault).';
      return new JiraError(e.status, [message], {}, headers);
    }
    const burst = this.faults.rateLimit?.burst;
    if (burst) {
      const key = `${request.method} ${request.route}`;
      const bucket = this.buckets.get(key) ?? { tokens: burst.capacity, at: now };
      bucket.tokens = Math.min(
        burst.capacity,
        bucket.tokens + ((now - bucket.at) / 1000) * burst.refillPerSecond,
      );
      bucket.at = now;
      this.buckets.set(key, bucket);
      if (bucket.tokens < 1) {
        const waitMs = ((1 - bucket.tokens) / burst.refillPerSecond) * 1000;
        return this.limited(now, waitMs, 'jira-burst-based', burst.capacity);
      }
      bucket.tokens -= 1;
    }
    if (this.faults.rateLimit?.perIssueWrite && request.write && request.issueId !== undefined) {
      const times = (this.issueWrites.get(request.issueId) ?? []).filter((t) => t > now - 30_000);
      for (const w of PER_ISSUE_WINDOWS) {
        const inWindow = times.filter((t) => t > now - w.windowMs);
        if (inWindow.length >= w.limit) {
          const oldest = inWindow[0] ?? now;
          return this.limited(now, oldest + w.windowMs - now, 'jira-per-issue-on-write', w.limit);
        }
      }
      times.push(now);
      this.issueWrites.set(request.issueId, times);
    }
    return undefined;
  }

  /** The headers Data Center adds to every answer to a rate-limited user; none without such a limit. */
  userRateHeaders(user: string | undefined): Record<string, string> {
    const limit = this.faults.rateLimit?.user;
    const bucket = user === undefined ? undefined : this.userBuckets.get(user);
    return limit && bucket ? this.userHeaders(bucket, limit, this.clock.now()) : {};
  }

  private userLimit(user: string | undefined, now: number) {
    const limit = this.faults.rateLimit?.user;
    if (!limit || user === undefined) return undefined;
    const bucket = this.userBuckets.get(user) ?? { tokens: limit.capacity, at: now };
    // A batch of `fillRate` tokens per whole interval elapsed, as Data Center refills.
    const intervals = Math.floor((now - bucket.at) / (limit.intervalSeconds * 1000));
    if (intervals > 0) {
      bucket.tokens = Math.min(limit.capacity, bucket.tokens + intervals * limit.fillRate);
      bucket.at += intervals * limit.intervalSeconds * 1000;
    }
    this.userBuckets.set(user, bucket);
    return { bucket, limit };
  }

  private userHeaders(
    bucket: { tokens: number; at: number },
    limit: { capacity: number; fillRate: number; intervalSeconds: number },
    now: number,
  ): Record<string, string> {
    const nextBatchMs = bucket.at + limit.intervalSeconds * 1000 - now;
    return {
      'X-RateLimit-Limit': String(limit.capacity),
      'X-RateLimit-Remaining': String(Math.max(0, Math.floor(bucket.tokens))),
      'X-RateLimit-Interval-Seconds': String(limit.intervalSeconds),
      'X-RateLimit-FillRate': String(limit.fillRate),
      // 0 while tokens are left, else whole seconds until the next batch.
      'Retry-After': String(bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil(nextBatchMs / 1000))),
    };
  }

  private limited(now: number, waitMs: number, reason: string, limit: number): JiraError {
    this.stats.rateLimited++;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new JiraError(
      429,
      ['Rate limit exceeded.'],
      {},
      {
        'Retry-After': String(seconds),
        'X-RateLimit-Reset': rateLimitReset(now + seconds * 1000),
        'RateLimit-Reason': reason,
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': '0',
      },
    );
  }

  private roll(
    name: 'drop' | 'duplicate' | 'late' | 'lostWrite',
    chance: Chance | { probability?: number; next?: number } | undefined,
  ): boolean {
    if (chance === undefined) return false;
    if (typeof chance === 'number') return this.random.chance(chance);
    // Neither a probability nor a count: every occurrence.
    if (chance.probability === undefined && chance.next === undefined) return true;
    const left = this.chanceLeft.get(name);
    if (left !== undefined && left > 0) {
      this.chanceLeft.set(name, left - 1);
      return true;
    }
    return chance.probability !== undefined && this.random.chance(chance.probability);
  }

  /** Whether the answer to this (already applied) write is lost. */
  loseWriteResponse(write: boolean): boolean {
    if (!write || !this.roll('lostWrite', this.faults.lostWriteResponses)) return false;
    this.stats.writeResponsesLost++;
    return true;
  }

  /** What happens to one webhook delivery. */
  webhookFate(): { drop: boolean; duplicate: boolean; delayMs: number; reorderWindowMs: number } {
    const w = this.faults.webhooks;
    if (!w) return { drop: false, duplicate: false, delayMs: 0, reorderWindowMs: 0 };
    const drop = this.roll('drop', w.drop);
    const duplicate = !drop && this.roll('duplicate', w.duplicate);
    const late = !drop && this.roll('late', w.late);
    if (drop) this.stats.webhooksDropped++;
    if (duplicate) this.stats.webhooksDuplicated++;
    if (late) this.stats.webhooksDelayed++;
    return {
      drop,
      duplicate,
      delayMs: late ? (w.late?.delayMs ?? 0) : 0,
      reorderWindowMs: w.reorder?.windowMs ?? 0,
    };
  }
}
