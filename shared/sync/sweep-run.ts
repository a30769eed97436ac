import type { Flow } from '../config/flows.ts';
import type { SweepMarks } from '../state/sweep-marks.ts';
import type { SyncEvent } from '../webhook/sync-event.ts';
import type { SitePort } from './site-port.ts';
import { sweepFlow } from './sweep.ts';

export interface SweepRunDeps {
  readonly flows: readonly Flow[];
  readonly site: (connectionId: string) => SitePort;
  readonly marks: SweepMarks;
  readonly enqueue: (events: readonly SyncEvent[]) => Promise<void>;
  readonly now: () => number;
  /** A flow never swept before looks back this far (default 24 h); a backfill passes `undefined` per flow. */
  readonly firstLookBackMs?: number;
}

export interface SweepRunResult {
  readonly flowId: string;
  readonly enqueued?: number;
  readonly error?: string;
}

/**
 * One scheduled sweep: every flow, both sides, issues updated since its last sweep. A flow that fails
 * (Jira down, a permission missing) keeps its old mark, so the next sweep covers the gap; the other flows
 * are not held up.
 */
export async function runSweep(deps: SweepRunDeps): Promise<SweepRunResult[]> {
  const results: SweepRunResult[] = [];
  for (const flow of deps.flows) {
    const startedAt = deps.now();
    try {
      const since = (await deps.marks.get(flow.id)) ?? startedAt - (deps.firstLookBackMs ?? 24 * 3_600_000);
      const sites = { source: deps.site(flow.source.connection), target: deps.site(flow.target.connection) };
      const enqueued = await sweepFlow(flow, since, { sites, enqueue: deps.enqueue, now: deps.now });
      await deps.marks.set(flow.id, startedAt);
      results.push({ flowId: flow.id, enqueued });
    } catch (error) {
      results.push({ flowId: flow.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
