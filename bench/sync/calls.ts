import type { RequestCounts, SiteName, SyncStack } from './stack.ts';

/** Jira calls per change, averaged over the changes of one kind (from the sites' `stats()` deltas). */
export interface CallsPerChange {
  readonly changes: number;
  readonly reads: number;
  readonly writes: number;
  readonly bySite: Record<SiteName, { readonly reads: number; readonly writes: number }>;
  /** `help GET /rest/api/2/issue/{issueIdOrKey}` → calls per change. */
  readonly operations: Record<string, number>;
  /** Webhook deliveries per change, per sending site (the change's own, and the echoes of the sync's writes). */
  readonly webhooks: Record<SiteName, number>;
}

/** GET, and searches sent as POST, read; everything else writes. */
export function isRead(operation: string): boolean {
  return operation.startsWith('GET ') || /^POST \S*\/search(\/jql)?$/.test(operation);
}

export interface Snapshot {
  readonly requests: RequestCounts;
  readonly webhooks: Record<SiteName, number>;
}

export function snapshot(stack: SyncStack): Snapshot {
  return {
    requests: stack.requests(),
    webhooks: {
      help: stack.sites.help.webhooks.deliveries().length,
      eng: stack.sites.eng.webhooks.deliveries().length,
    },
  };
}

/** Sums deltas of many changes of one kind; `average()` divides by their number. */
export class CallTally {
  private changes = 0;
  private readonly ops = new Map<string, number>();
  private readonly hooks: Record<SiteName, number> = { help: 0, eng: 0 };

  add(before: Snapshot, after: Snapshot): Record<SiteName, number> {
    this.changes++;
    const perSite: Record<SiteName, number> = { help: 0, eng: 0 };
    for (const site of ['help', 'eng'] as const) {
      for (const [op, count] of Object.entries(after.requests[site])) {
        const delta = count - (before.requests[site][op] ?? 0);
        if (delta === 0) continue;
        const key = `${site} ${op}`;
        this.ops.set(key, (this.ops.get(key) ?? 0) + delta);
        perSite[site] += delta;
      }
      this.hooks[site] += after.webhooks[site] - before.webhooks[site];
    }
    return perSite;
  }

  average(): CallsPerChange {
    const n = Math.max(1, this.changes);
    const operations = Object.fromEntries(
      [...this.ops].sort(([a], [b]) => a.localeCompare(b)).map(([op, total]) => [op, total / n]),
    );
    const sum = (site: SiteName | undefined, read: boolean) =>
      Object.entries(operations)
        .filter(([key]) => site === undefined || key.startsWith(`${site} `))
        .filter(([key]) => isRead(key.slice(key.indexOf(' ') + 1)) === read)
        .reduce((total, [, v]) => total + v, 0);
    return {
      changes: this.changes,
      reads: sum(undefined, true),
      writes: sum(undefined, false),
      bySite: {
        help: { reads: sum('help', true), writes: sum('help', false) },
        eng: { reads: sum('eng', true), writes: sum('eng', false) },
      },
      operations,
      webhooks: { help: this.hooks.help / n, eng: this.hooks.eng / n },
    };
  }
}

/** Jira write requests answered by both sites so far (the echo check compares two of these). */
export function totalWrites(requests: RequestCounts): number {
  let writes = 0;
  for (const site of ['help', 'eng'] as const) {
    for (const [op, count] of Object.entries(requests[site])) if (!isRead(op)) writes += count;
  }
  return writes;
}
