import { randomUUID } from 'node:crypto';
import type { Flow } from '../config/flows.ts';
import { AppError } from '../errors/app-error.ts';
import type { AttachmentLink, CommentLink, IssueSide, LinkRecord } from '../state/link-record.ts';
import type { ConflictRecord, Lease, LinkStore } from '../state/link-store.ts';
import { type AttachmentAction, planAttachments } from './attachments.ts';
import { type Json, valueHash } from './canonical.ts';
import { type CommentAction, type CommentRules, planComments } from './comments.ts';
import { CreatePending, NoTransitionPath, StatusMoved } from './errors.ts';
import { decodeField, encodeField } from './field-codec.ts';
import { type ResolvedField, resolveFields } from './field-map.ts';
import { type FieldConflict, type FieldInput, type FieldWrite, planFields, type Side } from './merge.ts';
import type { IssueSnapshot, RecentIssue, SitePort } from './site-port.ts';
import { statusPath, type TransitionEdge } from './status-path.ts';
import { UserMap, userValue } from './user-map.ts';

/** The mapping key of the status pseudo-field in the link's base. */
const STATUS_KEY = 'status';
/**
 * How long a create intent is given to become searchable before it is presumed not to have happened:
 * Jira's search index lags writes by seconds, rarely more.
 */
export const DEFAULT_CREATE_GRACE_MS = 60_000;
const MAX_TRANSITION_STEPS = 6;

export interface ReconcileContext {
  readonly flow: Flow;
  readonly sites: Readonly<Record<Side, SitePort>>;
  readonly store: LinkStore;
  readonly lease: Lease;
  readonly now: () => number;
  /** See `DEFAULT_CREATE_GRACE_MS`. */
  readonly createGraceMs?: number;
}

export interface ReconcileResult {
  readonly flowId: string;
  readonly sourceIssueId: string;
  readonly targetIssueId?: string;
  readonly outcome:
    | 'created'
    | 'updated'
    | 'unchanged'
    | 'out-of-scope'
    | 'source-deleted'
    | 'target-missing';
  /** Jira writes made, by kind: fields, transitions, comments, attachments. */
  readonly writes: Readonly<Record<'fields' | 'transitions' | 'comments' | 'attachments' | 'issues', number>>;
  readonly conflicts: readonly FieldConflict[];
  /** Things that could not be synced and why (unmapped values, too-large attachments, internal notes). */
  readonly notes: readonly string[];
  /** Set when the event was older than the last completed reconcile, which had read its change: no Jira call. */
  readonly stale?: boolean;
}

type Writes = { fields: number; transitions: number; comments: number; attachments: number; issues: number };
const noWrites = (): Writes => ({ fields: 0, transitions: 0, comments: 0, attachments: 0, issues: 0 });

const other = (side: Side): Side => (side === 'source' ? 'target' : 'source');

function inScope(flow: Flow, issue: IssueSnapshot): boolean {
  if (issue.projectKey !== flow.source.project) return false;
  const types = flow.source.issueTypes;
  return types === undefined || types.some((t) => t.toLowerCase() === issue.issueType.toLowerCase());
}

/** The flow's optional JQL (e.g. `status = Escalated`): only matching issues are escalated. */
async function matchesSourceJql(ctx: ReconcileContext, source: IssueSnapshot): Promise<boolean> {
  const jql = ctx.flow.source.jql;
  if (jql === undefined) return true;
  for await (const found of ctx.sites.source.searchIssueStates(`id = ${source.id} AND (${jql})`)) {
    if (found.id === source.id) return true;
  }
  return false;
}

/** Reads every mapped field on both issues and translates each side's value into the other's terms. */
async function fieldInputs(
  ctx: ReconcileContext,
  fields: readonly ResolvedField[],
  source: IssueSnapshot,
  target: IssueSnapshot | undefined,
  users: UserMap,
): Promise<FieldInput[]> {
  const { sites } = ctx;
  const inputs: FieldInput[] = [];
  for (const field of fields) {
    const targetValue = target
      ? decodeField(field.target, target.fields[field.target.id], sites.target.flavor)
      : null;
    if (field.constant !== undefined || !field.source) {
      inputs.push({
        field: field.key,
        direction: 'source-to-target',
        source: field.constant ?? null,
        target: targetValue,
        sourceAsTarget: field.constant ?? null,
        targetAsSource: undefined,
      });
      continue;
    }
    const sourceValue = decodeField(field.source, source.fields[field.source.id], sites.source.flavor);
    if (field.isUser) {
      const map = async (raw: unknown, from: Side): Promise<Json | undefined> => {
        const items = Array.isArray(raw) ? raw : raw === null || raw === undefined ? [] : [raw];
        const mapped: string[] = [];
        for (const item of items) {
          const user = userValue(item, sites[from].flavor);
          if (!user) continue;
          const id = await users.map(user, other(from));
          if (id === undefined) return undefined;
          mapped.push(id);
        }
        if (mapped.length === 0) return null;
        return Array.isArray(raw) ? [...new Set(mapped)].sort() : (mapped[0] as string);
      };
      inputs.push({
        field: field.key,
        direction: field.direction,
        source: sourceValue,
        target: targetValue,
        sourceAsTarget: await map(source.fields[field.source.id], 'source'),
        targetAsSource: target ? await map(target.fields[field.target.id], 'target') : null,
      });
      continue;
    }
    inputs.push({
      field: field.key,
      direction: field.direction,
      source: sourceValue,
      target: targetValue,
      sourceAsTarget: field.toTarget(sourceValue),
      targetAsSource: field.toSource(targetValue),
    });
  }
  return inputs;
}

function statusInput(
  flow: Flow,
  source: IssueSnapshot,
  target: IssueSnapshot | undefined,
): FieldInput | undefined {
  if (!flow.status) return undefined;
  const map = new Map(Object.entries(flow.status.map).map(([s, t]) => [s.toLowerCase(), t]));
  const reverse = new Map(Object.entries(flow.status.map).map(([s, t]) => [t.toLowerCase(), s]));
  return {
    field: STATUS_KEY,
    direction: flow.status.direction ?? flow.direction,
    source: source.status,
    target: target?.status ?? null,
    sourceAsTarget: map.get(source.status.toLowerCase()),
    targetAsSource: target ? reverse.get(target.status.toLowerCase()) : undefined,
  };
}

/** Builds the edit payload of one side from the planned field writes. */
function editPayload(
  writes: readonly FieldWrite[],
  fields: readonly ResolvedField[],
  side: Side,
  site: SitePort,
) {
  const payload: Record<string, unknown> = {};
  for (const write of writes) {
    if (write.side !== side || write.field === STATUS_KEY) continue;
    const field = fields.find((f) => f.key === write.field);
    const meta = side === 'target' ? field?.target : field?.source;
    if (meta) payload[meta.id] = encodeField(meta, write.value, site.flavor);
  }
  return payload;
}

/** Walks the workflow to a status, learning transitions as it goes; throws when no path is known. */
async function moveToStatus(site: SitePort, issueId: string, from: string, to: string): Promise<number> {
  const graph = new Map<string, readonly TransitionEdge[]>();
  let current = from;
  for (let step = 0; step < MAX_TRANSITION_STEPS; step++) {
    if (current.toLowerCase() === to.toLowerCase()) return step;
    graph.set(current, await site.transitions(issueId));
    const path = statusPath(current, to, graph);
    // Only the current status's transitions are visible; take the first hop of the best known path, or any
    // transition towards a status not seen yet (to learn more of the workflow).
    const next =
      path?.[0] ??
      graph.get(current)?.find((t) => !graph.has(t.to) && t.to.toLowerCase() !== current.toLowerCase());
    if (!next) break;
    try {
      await site.transition(issueId, next.id);
    } catch (error) {
      // Someone moved the issue since the transitions were listed: try again from its new status.
      if (error instanceof AppError && error.code === 'JIRA_INVALID_REQUEST') {
        throw new StatusMoved(`${site.connectionId} issue ${issueId}: status changed during the transition`, {
          cause: error,
        });
      }
      throw error;
    }
    current = next.to;
  }
  if (current.toLowerCase() === to.toLowerCase()) return MAX_TRANSITION_STEPS;
  throw new NoTransitionPath(
    `${site.connectionId} issue ${issueId}: no workflow transition path from "${from}" to "${to}" (stopped at "${current}")`,
  );
}

function sideRef(site: SitePort, issue: { id: string; key: string }): IssueSide {
  return { connectionId: site.connectionId, issueId: issue.id, key: issue.key };
}

/** Jira's clock and ours may disagree: how much earlier than our intent a create may be stamped. */
const CLOCK_SKEW_MS = 60_000;

/** Finds the target a crashed run created, by the intent id it wrote into the issue property. */
async function recoverIntent(
  ctx: ReconcileContext,
  link: LinkRecord,
  planned: PlannedCreate,
): Promise<{ id: string; key: string } | undefined> {
  const intent = link.intent;
  if (!intent) return undefined;
  const candidates = await ctx.sites.target.findRecentlyUpdated(
    ctx.flow.target.project,
    intent.startedAt - CLOCK_SKEW_MS,
  );
  const found = candidates.find(
    (c) =>
      c.syncProperty !== null &&
      typeof c.syncProperty === 'object' &&
      (c.syncProperty as Record<string, Json>).intent === intent.id,
  );
  if (found) return found;
  const orphan = ctx.flow.target.requestType
    ? await adoptOrphanRequest(ctx, candidates, intent.startedAt, planned)
    : undefined;
  if (orphan) return orphan;
  const waited = ctx.now() - intent.startedAt;
  const grace = ctx.createGraceMs ?? DEFAULT_CREATE_GRACE_MS;
  if (waited < grace) {
    throw new CreatePending(
      `flow ${ctx.flow.id}: a create of the target for source ${link.source.issueId} may still become searchable; retrying later`,
      grace - waited,
    );
  }
  return undefined;
}

/**
 * A request target is raised first and marked by a second call, so a crash between the two leaves a
 * request without the marker that names its intent. Such an orphan is recognised by what the create sent
 * and who sent it: created by jira-sync's own account since the intent, unmarked, with the planned summary
 * and description. Only a single match is adopted: with two, either might be another source's orphan, and
 * wiring two sources to one request would be worse than the duplicate.
 */
async function adoptOrphanRequest(
  ctx: ReconcileContext,
  candidates: readonly RecentIssue[],
  intentStartedAt: number,
  planned: PlannedCreate,
): Promise<{ id: string; key: string } | undefined> {
  const own = await ctx.sites.target.ownAccount();
  const orphans = candidates.filter(
    (c) =>
      c.syncProperty === undefined &&
      c.creator === own &&
      (c.created === undefined || c.created >= intentStartedAt - CLOCK_SKEW_MS) &&
      c.summary === planned.summary &&
      (c.description === undefined || c.description === (planned.description ?? '')),
  );
  const [orphan, ...more] = orphans;
  if (!orphan || more.length > 0) return undefined;
  await ctx.sites.target.markIssue(orphan.id, planned.syncProperty);
  return orphan;
}

/** Jira statuses that mean a create was refused before anything was written. */
const REFUSED = new Set([400, 401, 403, 404, 409, 429]);

function createdNothing(error: unknown): boolean {
  if (!(error instanceof AppError)) return false;
  const status = (error as { status?: unknown }).status;
  // 503 with Retry-After is Jira's rate limiting (refused); a bare 5xx may hide a half-done create.
  return typeof status === 'number' && (REFUSED.has(status) || error.code === 'JIRA_RATE_LIMITED');
}

/** What a create sends, so a crashed create can be recognised. */
interface PlannedCreate {
  readonly summary: string | undefined;
  readonly description: string | undefined;
  readonly syncProperty: Json;
}

async function createTarget(
  ctx: ReconcileContext,
  link: LinkRecord,
  source: IssueSnapshot,
  fields: readonly ResolvedField[],
  users: UserMap,
  writes: Writes,
): Promise<LinkRecord> {
  const { flow, sites, store, lease } = ctx;
  let current = link;
  const intentId = current.intent?.id ?? randomUUID();
  const inputs = await fieldInputs(ctx, fields, source, undefined, users);
  const plan = planFields(inputs, undefined, {
    policy: flow.conflictPolicy,
    sourceUpdated: source.updated,
    targetUpdated: 0,
  });
  const payload = editPayload(plan.writes, fields, 'target', sites.target);
  const planned: PlannedCreate = {
    summary: typeof payload.summary === 'string' ? payload.summary : undefined,
    description: typeof payload.description === 'string' ? payload.description : undefined,
    syncProperty: {
      flow: flow.id,
      intent: intentId,
      source: { connection: sites.source.connectionId, issueId: source.id },
    },
  };
  let created = await recoverIntent(ctx, current, planned);
  if (!created) {
    if (!current.intent)
      current = await store.save(current, { intent: { id: intentId, startedAt: ctx.now() } }, lease);
    try {
      created = await sites.target.createIssue({
        project: flow.target.project,
        ...(flow.target.issueType ? { issueType: flow.target.issueType } : {}),
        ...(flow.target.requestType ? { requestType: flow.target.requestType } : {}),
        fields: payload,
        syncProperty: planned.syncProperty,
      });
    } catch (error) {
      // Jira answered with an error, so nothing was created: the next attempt may create at once instead of
      // waiting out the intent's grace period. A timeout or a dropped connection proves nothing: keep it.
      if (createdNothing(error)) await store.save(current, { clearIntent: true }, lease);
      throw error;
    }
    writes.issues++;
  }
  const target = sideRef(sites.target, created);
  await store.pointTarget(flow.id, target, current.source);
  if (sites.source.connectionId === sites.target.connectionId) {
    // Same site: a real issue link, which Jira shows on both issues.
    await sites.source.linkIssues(source.id, created.id, flow.links.issueLinkType);
  } else if (flow.links.remoteLinks) {
    await sites.source.upsertRemoteLink(source.id, {
      globalId: `jira-sync:${flow.id}:${target.connectionId}:${target.issueId}`,
      url: sites.target.issueUrl(created.key),
      title: `${created.key} (${sites.target.siteName})`,
    });
    await sites.target.upsertRemoteLink(created.id, {
      globalId: `jira-sync:${flow.id}:${current.source.connectionId}:${source.id}`,
      url: sites.source.issueUrl(source.key),
      title: `${source.key} (${sites.source.siteName})`,
    });
  }
  return store.save(current, { target, clearIntent: true }, lease);
}

function commentRules(ctx: ReconcileContext, own: Record<Side, string>): CommentRules | undefined {
  const c = ctx.flow.comments;
  if (c === false) return undefined;
  return {
    direction: c.direction ?? ctx.flow.direction,
    ownAccount: own,
    serviceDesk: { source: ctx.sites.source.serviceDesk, target: ctx.sites.target.serviceDesk },
    publicOnServiceDesk: c.public,
    internalToPublic: c.internalToPublic,
    attribution: c.attribution,
    siteName: { source: ctx.sites.source.siteName, target: ctx.sites.target.siteName },
  };
}

async function applyComments(
  ctx: ReconcileContext,
  actions: readonly CommentAction[],
  issues: Record<Side, IssueSnapshot>,
  links: readonly CommentLink[],
  writes: Writes,
  notes: string[],
): Promise<CommentLink[]> {
  let next = [...links];
  const hashOf = (body: string) => valueHash(body);
  for (const action of actions) {
    switch (action.kind) {
      case 'add': {
        const from = other(action.side);
        const { id } = await ctx.sites[action.side].addComment(issues[action.side].id, action.body, {
          ...(action.public === undefined ? {} : { public: action.public }),
          copyOf: { side: from, id: action.origin.id },
        });
        writes.comments++;
        next.push({
          origin: from,
          sourceId: from === 'source' ? action.origin.id : id,
          targetId: from === 'source' ? id : action.origin.id,
          source: hashOf(from === 'source' ? action.origin.body : action.body),
          target: hashOf(from === 'source' ? action.body : action.origin.body),
        });
        break;
      }
      case 'relink': {
        const from = other(action.side);
        next.push({
          origin: from,
          sourceId: from === 'source' ? action.origin.id : action.copy.id,
          targetId: from === 'source' ? action.copy.id : action.origin.id,
          source: hashOf(from === 'source' ? action.origin.body : action.copy.body),
          target: hashOf(from === 'source' ? action.copy.body : action.origin.body),
        });
        break;
      }
      case 'edit':
        await ctx.sites[action.side].editComment(issues[action.side].id, action.commentId, action.body);
        writes.comments++;
        next = next.map((l) =>
          l.sourceId === action.link.sourceId && l.targetId === action.link.targetId
            ? { ...l, [action.link.origin]: hashOf(action.origin.body), [action.side]: hashOf(action.body) }
            : l,
        );
        break;
      case 'delete':
        await ctx.sites[action.side].deleteComment(issues[action.side].id, action.commentId);
        writes.comments++;
        next = next.filter(
          (l) => !(l.sourceId === action.link.sourceId && l.targetId === action.link.targetId),
        );
        break;
      case 'forget':
        next = next.filter(
          (l) => !(l.sourceId === action.link.sourceId && l.targetId === action.link.targetId),
        );
        break;
      case 'close':
        next = next.map((l) =>
          l.sourceId === action.link.sourceId && l.targetId === action.link.targetId
            ? { ...l, closed: true }
            : l,
        );
        break;
      case 'skip':
        notes.push(
          `internal note ${action.origin.id} not copied to the ${action.side} (comments.internalToPublic is off)`,
        );
        break;
    }
  }
  return next;
}

async function applyAttachments(
  ctx: ReconcileContext,
  actions: readonly AttachmentAction[],
  issues: Record<Side, IssueSnapshot>,
  links: readonly AttachmentLink[],
  writes: Writes,
  notes: string[],
): Promise<AttachmentLink[]> {
  let next = [...links];
  const record = (to: Side, originId: string, copyId: string, filename: string, size: number) => {
    const from = other(to);
    next.push({
      origin: from,
      sourceId: from === 'source' ? originId : copyId,
      targetId: from === 'source' ? copyId : originId,
      filename,
      size,
    });
  };
  for (const action of actions) {
    if (action.kind === 'copy') {
      const from = other(action.to);
      const content = await ctx.sites[from].downloadAttachment(action.origin);
      const { id } = await ctx.sites[action.to].uploadAttachment(
        issues[action.to].id,
        action.origin.filename,
        content,
        action.origin.size,
      );
      writes.attachments++;
      record(action.to, action.origin.id, id, action.origin.filename, action.origin.size);
    } else if (action.kind === 'relink') {
      record(action.to, action.origin.id, action.copy.id, action.origin.filename, action.origin.size);
    } else if (action.kind === 'delete') {
      await ctx.sites[action.side].deleteAttachment(action.attachmentId);
      writes.attachments++;
      next = next.filter(
        (l) =>
          l !== action.link && !(l.sourceId === action.link.sourceId && l.targetId === action.link.targetId),
      );
    } else if (action.kind === 'forget') {
      next = next.filter(
        (l) => !(l.sourceId === action.link.sourceId && l.targetId === action.link.targetId),
      );
    } else {
      notes.push(
        `attachment ${action.origin.filename} (${action.origin.size} bytes) is over the flow's size limit`,
      );
    }
  }
  return next;
}

/** Applies the flow's `onSourceDeleted` once: leave the target, comment on it, or move it to a status. */
async function onSourceDeleted(ctx: ReconcileContext, known: LinkRecord, writes: Writes): Promise<void> {
  const { flow, sites, store, lease } = ctx;
  const link = await store.acquire(flow.id, known.source, lease);
  let saved = false;
  try {
    const target = link.target ? await sites.target.getIssue(link.target.issueId) : undefined;
    if (target && flow.onSourceDeleted.action === 'comment') {
      await sites.target.addComment(
        target.id,
        `_jira-sync:_ the linked issue ${link.source.key ?? link.source.issueId} on ${sites.source.siteName} was deleted.`,
        {
          copyOf: { side: 'source', id: `deleted:${link.source.issueId}` },
          ...(sites.target.serviceDesk ? { public: false } : {}),
        },
      );
      writes.comments++;
    } else if (target && flow.onSourceDeleted.action === 'transition') {
      writes.transitions += await moveToStatus(
        sites.target,
        target.id,
        target.status,
        flow.onSourceDeleted.status,
      );
    }
    await store.save(link, { sourceDeletedAt: ctx.now() }, lease, { release: true });
    saved = true;
  } finally {
    // A failed release is harmless: the lease expires on its own.
    if (!saved) await store.release(link, lease).catch(() => undefined);
  }
}

/**
 * Converges one linked pair of issues (level-triggered): reads both issues now, creates the target on first
 * sight (exactly once, even across crashes), merges fields and status against the last-synced base, copies
 * comments and attachments, then records the new base. The link's lease is held throughout.
 */
/**
 * Clocks of the ingest and the worker may disagree by this much; an event is only taken as stale when it
 * arrived this long before the last completed reconcile began.
 */
const CLOCK_MARGIN_MS = 1_000;

export async function reconcileSource(
  context: ReconcileContext,
  sourceIssueId: string,
  /** When the newest event asking for this reconcile was received (ingest's `receivedAt`). */
  eventReceivedAt?: number,
): Promise<ReconcileResult> {
  // One lease holder per reconcile, even within one invocation: a batch reconciles several issues at once,
  // and the source's and the target's events of one pair must never run together.
  const ctx = { ...context, lease: { ...context.lease, owner: `${context.lease.owner}/${randomUUID()}` } };
  const { flow, sites, store, lease } = ctx;
  const writes = noWrites();
  const notes: string[] = [];
  const result = (
    outcome: ReconcileResult['outcome'],
    extra: Partial<ReconcileResult> = {},
  ): ReconcileResult => ({ flowId: flow.id, sourceIssueId, outcome, writes, conflicts: [], notes, ...extra });

  const known = await store.get(flow.id, sourceIssueId);
  // A reconcile that began after the event arrived has already read what the event announces: level
  // triggering makes it redundant, and skipping it spares Jira while the queue works off a backlog.
  if (
    eventReceivedAt !== undefined &&
    known?.target &&
    !known.intent &&
    known.reconciledFrom !== undefined &&
    eventReceivedAt + CLOCK_MARGIN_MS < known.reconciledFrom
  ) {
    return result('unchanged', { targetIssueId: known.target.issueId, stale: true });
  }
  const startedAt = ctx.now();
  const source = await sites.source.getIssue(sourceIssueId);
  if (!source) {
    if (!known?.target) return result('out-of-scope');
    if (known.sourceDeletedAt === undefined) await onSourceDeleted(ctx, known, writes);
    return result('source-deleted', { targetIssueId: known.target.issueId });
  }
  if (!known?.target && !known?.intent) {
    // Scope decides what gets a target created; once linked, an issue stays linked (moves keep the id).
    if (!inScope(flow, source) || !(await matchesSourceJql(ctx, source))) return result('out-of-scope');
  }

  let link = await store.acquire(flow.id, sideRef(sites.source, source), lease);
  let saved = false;
  try {
    const [sourceFields, targetFields] = await Promise.all([sites.source.fields(), sites.target.fields()]);
    const fields = resolveFields(flow, sourceFields, targetFields);
    const users = new UserMap(flow, sites);
    const created = !link.target;
    if (!link.target) link = await createTarget(ctx, link, source, fields, users, writes);
    const targetId = link.target?.issueId as string;
    const target = await sites.target.getIssue(targetId);
    if (!target) {
      await store.release(link, lease);
      saved = true;
      return result('target-missing', { targetIssueId: targetId });
    }

    // Fields and status: one three-way merge against the base.
    const inputs = await fieldInputs(ctx, fields, source, target, users);
    const status = statusInput(flow, source, target);
    if (status) inputs.push(status);
    const plan = planFields(inputs, link.base, {
      policy: flow.conflictPolicy,
      sourceUpdated: source.updated,
      targetUpdated: target.updated,
    });
    for (const problem of plan.problems) {
      notes.push(
        `${problem.field}: the ${problem.side === 'target' ? 'source' : 'target'} value has no mapping to the ${problem.side}`,
      );
    }
    const issues: Record<Side, IssueSnapshot> = { source, target };
    for (const side of ['target', 'source'] as const) {
      const payload = editPayload(plan.writes, fields, side, sites[side]);
      if (Object.keys(payload).length > 0) {
        await sites[side].editIssue(issues[side].id, payload);
        writes.fields += Object.keys(payload).length;
      }
      const statusWrite = plan.writes.find((w) => w.side === side && w.field === STATUS_KEY);
      if (statusWrite && typeof statusWrite.value === 'string') {
        writes.transitions += await moveToStatus(
          sites[side],
          issues[side].id,
          issues[side].status,
          statusWrite.value,
        );
      }
    }
    for (const conflict of plan.conflicts) {
      const record: ConflictRecord = {
        flowId: flow.id,
        sourceIssueId: source.id,
        targetIssueId: target.id,
        field: conflict.field,
        policy: conflict.policy,
        winner: conflict.winner,
        sourceValue: conflict.source,
        targetValue: conflict.target,
      };
      await store.recordConflict(record);
    }

    const own: Record<Side, string> = {
      source: await sites.source.ownAccount(),
      target: await sites.target.ownAccount(),
    };
    let comments = link.comments;
    const rules = commentRules(ctx, own);
    if (rules) {
      const actions = planComments(source.comments, target.comments, link.comments, rules);
      comments = await applyComments(ctx, actions, issues, link.comments, writes, notes);
    }
    let attachments = link.attachments;
    if (flow.attachments !== false) {
      const actions = planAttachments(source.attachments, target.attachments, link.attachments, {
        direction: flow.attachments.direction ?? flow.direction,
        maxBytes: flow.attachments.maxBytes,
        ownAccount: own,
      });
      attachments = await applyAttachments(ctx, actions, issues, link.attachments, writes, notes);
    }

    await store.save(link, { base: plan.base, comments, attachments, reconciledFrom: startedAt }, lease, {
      release: true,
    });
    saved = true;
    const changed = Object.values(writes).some((n) => n > 0);
    return result(created ? 'created' : changed ? 'updated' : 'unchanged', {
      targetIssueId: target.id,
      conflicts: plan.conflicts,
    });
  } finally {
    // A failed release is harmless: the lease expires on its own.
    if (!saved) await store.release(link, lease).catch(() => undefined);
  }
}
