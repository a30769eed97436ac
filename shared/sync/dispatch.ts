import type { Flow } from '../config/flows.ts';
import type { Lease, LinkStore } from '../state/link-store.ts';
import type { SyncEvent } from '../webhook/sync-event.ts';
import type { Side } from './merge.ts';
import { type ReconcileResult, reconcileSource } from './reconcile.ts';
import type { SitePort } from './site-port.ts';

export interface DispatchContext {
  readonly flows: readonly Flow[];
  readonly site: (connectionId: string) => SitePort;
  readonly store: LinkStore;
  readonly lease: Lease;
  readonly now: () => number;
  readonly createGraceMs?: number;
}

export type DispatchResult =
  | ReconcileResult
  | { readonly flowId: string; readonly outcome: 'not-linked'; readonly issue: string };

/**
 * An event only says "this issue changed". For every flow the issue's site takes part in, find the linked
 * pair — directly when the issue is a flow's source, through the target pointer when it is a copy — and
 * reconcile it. Events naming only a key are resolved to the id first (a key can change; the id never).
 */
export async function dispatchEvent(event: SyncEvent, ctx: DispatchContext): Promise<DispatchResult[]> {
  const results: DispatchResult[] = [];
  const site = ctx.site(event.connectionId);
  let issueId = event.issue.id;
  if (!issueId) {
    const issue = event.issue.key ? await site.getIssue(event.issue.key) : undefined;
    if (!issue) return results;
    issueId = issue.id;
  }
  for (const flow of ctx.flows) {
    const sides: Side[] = [];
    if (flow.target.connection === event.connectionId) sides.push('target');
    if (flow.source.connection === event.connectionId) sides.push('source');
    if (sides.length === 0) continue;
    const sites = { source: ctx.site(flow.source.connection), target: ctx.site(flow.target.connection) };
    const reconcileCtx = {
      flow,
      sites,
      store: ctx.store,
      lease: ctx.lease,
      now: ctx.now,
      ...(ctx.createGraceMs === undefined ? {} : { createGraceMs: ctx.createGraceMs }),
    };
    // On a same-site flow the issue may be either side; a copy is recognised by its target pointer.
    const pointer = sides.includes('target') ? await ctx.store.sourceOfTarget(flow.id, issueId) : undefined;
    if (pointer) {
      results.push(await reconcileSource(reconcileCtx, pointer.issueId, event.receivedAt));
    } else if (sides.includes('source')) {
      results.push(await reconcileSource(reconcileCtx, issueId, event.receivedAt));
    } else {
      results.push({ flowId: flow.id, outcome: 'not-linked', issue: issueId });
    }
  }
  return results;
}
