import type { Flow } from '../config/flows.ts';
import type { SyncEvent } from '../webhook/sync-event.ts';
import type { Side } from './merge.ts';
import type { SitePort } from './site-port.ts';

/** Minutes added to every sweep window: clocks drift and Jira's index lags a little behind writes. */
const OVERLAP_MINUTES = 2;

/** JQL strings quote project keys and the user's JQL is wrapped, so neither can change the query's meaning. */
const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/**
 * The JQL of one side of a flow for issues updated in the last `minutes`. Relative times (`-15m`) avoid
 * JQL's absolute dates, which Jira reads in the searching user's time zone.
 */
export function sweepJql(flow: Flow, side: Side, minutes: number | undefined): string {
  const project = side === 'source' ? flow.source.project : flow.target.project;
  const clauses = [`project = ${quote(project)}`];
  if (side === 'source' && flow.source.issueTypes) {
    clauses.push(`issuetype in (${flow.source.issueTypes.map(quote).join(', ')})`);
  }
  if (side === 'source' && flow.source.jql) clauses.push(`(${flow.source.jql})`);
  if (minutes !== undefined) clauses.push(`updated >= -${Math.ceil(minutes) + OVERLAP_MINUTES}m`);
  return `${clauses.join(' AND ')} ORDER BY updated ASC`;
}

export interface SweepDeps {
  readonly sites: Readonly<Record<Side, SitePort>>;
  readonly enqueue: (events: readonly SyncEvent[]) => Promise<void>;
  readonly now: () => number;
  /** Events are sent in chunks of this size as the search pages arrive. */
  readonly chunk?: number;
}

/**
 * Enqueues a reconcile for every issue of a flow updated since `sinceMs` (or every issue, for a backfill),
 * on both sides, so a missed webhook converges within one sweep period. Returns the number of events.
 */
export async function sweepFlow(flow: Flow, sinceMs: number | undefined, deps: SweepDeps): Promise<number> {
  const startedAt = deps.now();
  const minutes = sinceMs === undefined ? undefined : Math.max(0, (startedAt - sinceMs) / 60_000);
  const chunkSize = deps.chunk ?? 100;
  let total = 0;
  const sides: Side[] = flow.direction === 'source-to-target' ? ['source'] : ['source', 'target'];
  for (const side of sides) {
    const site = deps.sites[side];
    let chunk: SyncEvent[] = [];
    for await (const issue of site.searchIssueStates(sweepJql(flow, side, minutes))) {
      chunk.push({
        v: 1,
        connectionId: site.connectionId,
        issue: { id: issue.id },
        kind: 'sweep',
        // Named after the issue's state, so SQS (deduplicating for 5 minutes) drops a sweep's event for a
        // state an earlier sweep already queued: a backlog does not grow with every sweep.
        webhookId: `sweep:${flow.id}:${issue.updated ?? startedAt}`,
        retry: 0,
        receivedAt: startedAt,
      });
      if (chunk.length >= chunkSize) {
        await deps.enqueue(chunk);
        total += chunk.length;
        chunk = [];
      }
    }
    if (chunk.length > 0) {
      await deps.enqueue(chunk);
      total += chunk.length;
    }
  }
  return total;
}
