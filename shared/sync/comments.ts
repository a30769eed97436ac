import { valueHash } from './canonical.ts';
import type { Direction, Side } from './merge.ts';

/** A comment as the planner sees it, on either side. */
export interface CommentView {
  readonly id: string;
  /** Body as stored in Jira (wiki markup). */
  readonly body: string;
  /** Account id or username of the author. */
  readonly author: string;
  readonly authorName: string;
  /** JSM: false for internal notes. Undefined on sites without JSM. */
  readonly public?: boolean;
  /**
   * On a copy: the original it was made from, read from the comment property jira-sync writes with every
   * copy. It lets a reconcile that crashed between writing a copy and recording it find the copy again.
   */
  readonly copyOf?: { readonly side: Side; readonly id: string };
}

/** What the link remembers about a copied comment. */
export interface CommentLinkView {
  readonly origin: Side;
  readonly sourceId: string;
  readonly targetId: string;
  /** Hash of the origin body when last synced, and of the copy as written. */
  readonly source: string;
  readonly target: string;
  /** The copy was deleted where it could not be followed back: the pair stays closed for good. */
  readonly closed?: boolean;
}

export interface CommentRules {
  readonly direction: Direction;
  /** The integration account on each side: its comments are our copies, never originals. */
  readonly ownAccount: { readonly source: string | undefined; readonly target: string | undefined };
  /** Which sides are JSM, where visibility matters. */
  readonly serviceDesk: { readonly source: boolean; readonly target: boolean };
  /** Copies written to a JSM side are public replies (default false: internal notes). */
  readonly publicOnServiceDesk: boolean;
  /** Internal JSM notes may be copied to where everyone can read them. */
  readonly internalToPublic: boolean;
  readonly attribution: boolean;
  readonly siteName: { readonly source: string; readonly target: string };
}

export type CommentAction =
  | {
      readonly kind: 'add';
      readonly side: Side;
      readonly origin: CommentView;
      readonly body: string;
      /** For a JSM side: whether the copy is a public reply. */
      readonly public: boolean | undefined;
    }
  | {
      readonly kind: 'edit';
      readonly side: Side;
      readonly commentId: string;
      readonly origin: CommentView;
      readonly body: string;
      readonly link: CommentLinkView;
    }
  | {
      readonly kind: 'delete';
      readonly side: Side;
      readonly commentId: string;
      readonly link: CommentLinkView;
    }
  /** Both comments are gone: drop the pair. */
  | { readonly kind: 'forget'; readonly link: CommentLinkView }
  /** The copy was deleted and the deletion cannot flow back (one-way): keep the pair closed, never recopy. */
  | { readonly kind: 'close'; readonly link: CommentLinkView }
  /** A copy exists but was never recorded (a crash after writing it): record it instead of copying again. */
  | { readonly kind: 'relink'; readonly side: Side; readonly origin: CommentView; readonly copy: CommentView }
  | {
      readonly kind: 'skip';
      readonly side: Side;
      readonly origin: CommentView;
      readonly reason: 'internal-note';
    };

const other = (side: Side): Side => (side === 'source' ? 'target' : 'source');
const flows = (direction: Direction, to: Side) =>
  direction === 'two-way' ||
  (to === 'target' ? direction === 'source-to-target' : direction === 'target-to-source');

/** The copy's text: an attribution line (who wrote it, where) then the original body. */
export function renderCopy(origin: CommentView, from: Side, rules: CommentRules): string {
  if (!rules.attribution) return origin.body;
  return `_${origin.authorName} on ${rules.siteName[from]}:_\n${origin.body}`;
}

/** Whether a comment from `from` may be copied to `to`, and with what visibility there. */
function visibility(
  origin: CommentView,
  from: Side,
  to: Side,
  rules: CommentRules,
): { ok: boolean; public: boolean | undefined } {
  const internal = rules.serviceDesk[from] && origin.public === false;
  if (!rules.serviceDesk[to]) {
    // A non-JSM issue has no internal notes: everyone who can see the issue reads the copy.
    return { ok: !internal || rules.internalToPublic, public: undefined };
  }
  if (internal) return { ok: true, public: rules.internalToPublic && rules.publicOnServiceDesk };
  return { ok: true, public: rules.publicOnServiceDesk };
}

/**
 * Plans the comment writes that make both issues carry each other's comments: new comments are copied,
 * edited originals update their copies, and deleting either comment of a pair deletes the other. Copies (written by the
 * integration account) are never copied back, and a pair is tracked by ids, so re-running the plan after
 * applying it plans nothing.
 */
export function planComments(
  source: readonly CommentView[],
  target: readonly CommentView[],
  links: readonly CommentLinkView[],
  rules: CommentRules,
): CommentAction[] {
  const actions: CommentAction[] = [];
  const bySide = {
    source: new Map(source.map((c) => [c.id, c])),
    target: new Map(target.map((c) => [c.id, c])),
  };
  const linkedIds = {
    source: new Set(links.map((l) => l.sourceId)),
    target: new Set(links.map((l) => l.targetId)),
  };

  for (const link of links) {
    if (link.closed) continue;
    const from = link.origin;
    const to = other(from);
    const originId = from === 'source' ? link.sourceId : link.targetId;
    const copyId = to === 'source' ? link.sourceId : link.targetId;
    const original = bySide[from].get(originId);
    const copy = bySide[to].get(copyId);
    if (!original) {
      if (copy && flows(rules.direction, to))
        actions.push({ kind: 'delete', side: to, commentId: copyId, link });
      else actions.push({ kind: 'forget', link });
      continue;
    }
    if (!copy) {
      // One comment in two places: deleting either deletes both, where the flow's direction allows.
      if (flows(rules.direction, from))
        actions.push({ kind: 'delete', side: from, commentId: originId, link });
      else actions.push({ kind: 'close', link });
      continue;
    }
    const originHash = valueHash(original.body);
    const linkOriginHash = from === 'source' ? link.source : link.target;
    if (originHash !== linkOriginHash && flows(rules.direction, to)) {
      actions.push({
        kind: 'edit',
        side: to,
        commentId: copyId,
        origin: original,
        body: renderCopy(original, from, rules),
        link,
      });
    }
  }

  // Unrecorded copies, by the original they carry in their property.
  const unrecorded = new Map<string, CommentView>();
  for (const side of ['source', 'target'] as const) {
    for (const comment of side === 'source' ? source : target) {
      if (comment.copyOf && !linkedIds[side].has(comment.id)) {
        unrecorded.set(`${comment.copyOf.side}:${comment.copyOf.id}`, comment);
      }
    }
  }

  for (const from of ['source', 'target'] as const) {
    const to = other(from);
    for (const comment of from === 'source' ? source : target) {
      if (linkedIds[from].has(comment.id)) continue;
      const copy = unrecorded.get(`${from}:${comment.id}`);
      if (copy) {
        actions.push({ kind: 'relink', side: to, origin: comment, copy });
        continue;
      }
      if (!flows(rules.direction, to)) continue;
      if (comment.copyOf || comment.author === rules.ownAccount[from]) continue;
      const seen = visibility(comment, from, to, rules);
      if (!seen.ok) {
        actions.push({ kind: 'skip', side: to, origin: comment, reason: 'internal-note' });
        continue;
      }
      actions.push({
        kind: 'add',
        side: to,
        origin: comment,
        body: renderCopy(comment, from, rules),
        public: seen.public,
      });
    }
  }
  return actions;
}
