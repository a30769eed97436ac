import type { RateLimitScope } from './errors.ts';

/** What a call touches, to find the pauses that apply to it. */
export interface GateKey {
  readonly operation: string;
  /** Issue id or key the call writes to; reads never wait on a per-issue pause. */
  readonly writesIssue?: string;
}

/**
 * Pauses learnt from 429s, per connection: the whole connection (quotas), one endpoint (burst limits), or
 * one issue's writes (`jira-per-issue-on-write`), so a hot issue never slows the others down.
 */
export class RateGates {
  private connectionUntil = 0;
  private readonly endpointUntil = new Map<string, number>();
  private readonly issueUntil = new Map<string, number>();

  pause(scope: RateLimitScope, key: GateKey, until: number): void {
    if (scope === 'issue' && key.writesIssue !== undefined) {
      bump(this.issueUntil, key.writesIssue, until);
    } else if (scope === 'endpoint' || scope === 'issue') {
      // A per-issue answer to a call that names no issue can only be pinned to its endpoint.
      bump(this.endpointUntil, key.operation, until);
    } else {
      this.connectionUntil = Math.max(this.connectionUntil, until);
    }
  }

  /** The latest pause that applies to the call, with its scope; `until <= now` means go. */
  pausedUntil(key: GateKey, now: number): { until: number; scope: RateLimitScope } {
    let best: { until: number; scope: RateLimitScope } = { until: this.connectionUntil, scope: 'connection' };
    const endpoint = this.endpointUntil.get(key.operation) ?? 0;
    if (endpoint > best.until) best = { until: endpoint, scope: 'endpoint' };
    if (key.writesIssue !== undefined) {
      const issue = this.issueUntil.get(key.writesIssue) ?? 0;
      if (issue > best.until) best = { until: issue, scope: 'issue' };
    }
    this.forgetBefore(now);
    return best;
  }

  private forgetBefore(now: number): void {
    // Keeps warm containers from accumulating one entry per issue ever touched.
    if (this.issueUntil.size > 1000)
      for (const [k, v] of this.issueUntil) if (v <= now) this.issueUntil.delete(k);
  }
}

function bump(map: Map<string, number>, key: string, until: number): void {
  map.set(key, Math.max(map.get(key) ?? 0, until));
}
