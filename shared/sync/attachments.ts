import type { Direction, Side } from './merge.ts';

export interface AttachmentView {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  /** Account id or username of the uploader. */
  readonly author: string;
}

export interface AttachmentLinkView {
  readonly origin: Side;
  readonly sourceId: string;
  readonly targetId: string;
  readonly filename: string;
  readonly size: number;
}

export interface AttachmentRules {
  readonly direction: Direction;
  readonly maxBytes: number;
  readonly ownAccount: { readonly source: string | undefined; readonly target: string | undefined };
}

export type AttachmentAction =
  | { readonly kind: 'copy'; readonly to: Side; readonly origin: AttachmentView }
  | {
      readonly kind: 'delete';
      readonly side: Side;
      readonly attachmentId: string;
      readonly link: AttachmentLinkView;
    }
  | { readonly kind: 'forget'; readonly link: AttachmentLinkView }
  /** An upload from a crashed run: same name and size, by our account, not yet recorded. */
  | {
      readonly kind: 'relink';
      readonly to: Side;
      readonly origin: AttachmentView;
      readonly copy: AttachmentView;
    }
  | { readonly kind: 'too-large'; readonly to: Side; readonly origin: AttachmentView };

const other = (side: Side): Side => (side === 'source' ? 'target' : 'source');
const flows = (direction: Direction, to: Side) =>
  direction === 'two-way' ||
  (to === 'target' ? direction === 'source-to-target' : direction === 'target-to-source');

/**
 * Plans attachment copies. Attachments never change, so a pair only needs creating or deleting; copies
 * are uploaded by the integration account and are therefore never copied back. Jira attachments carry no
 * properties, so a copy from a crashed run is recognised by our account, file name and size.
 */
export function planAttachments(
  source: readonly AttachmentView[],
  target: readonly AttachmentView[],
  links: readonly AttachmentLinkView[],
  rules: AttachmentRules,
): AttachmentAction[] {
  const actions: AttachmentAction[] = [];
  const present = { source: new Set(source.map((a) => a.id)), target: new Set(target.map((a) => a.id)) };
  const linked = {
    source: new Set(links.map((l) => l.sourceId)),
    target: new Set(links.map((l) => l.targetId)),
  };

  for (const link of links) {
    const inSource = present.source.has(link.sourceId);
    const inTarget = present.target.has(link.targetId);
    if (inSource && inTarget) continue;
    if (!inSource && !inTarget) {
      actions.push({ kind: 'forget', link });
      continue;
    }
    const gone: Side = inSource ? 'target' : 'source';
    const remaining = other(gone);
    const remainingId = remaining === 'source' ? link.sourceId : link.targetId;
    if (flows(rules.direction, remaining))
      actions.push({ kind: 'delete', side: remaining, attachmentId: remainingId, link });
    else actions.push({ kind: 'forget', link });
  }

  const unclaimed = {
    source: source.filter((a) => !linked.source.has(a.id) && a.author === rules.ownAccount.source),
    target: target.filter((a) => !linked.target.has(a.id) && a.author === rules.ownAccount.target),
  };
  for (const from of ['source', 'target'] as const) {
    const to = other(from);
    if (!flows(rules.direction, to)) continue;
    for (const attachment of from === 'source' ? source : target) {
      if (linked[from].has(attachment.id) || attachment.author === rules.ownAccount[from]) continue;
      const pool = unclaimed[to];
      const copyAt = pool.findIndex((c) => c.filename === attachment.filename && c.size === attachment.size);
      const copy = pool[copyAt];
      if (copy) {
        pool.splice(copyAt, 1);
        actions.push({ kind: 'relink', to, origin: attachment, copy });
      } else if (attachment.size > rules.maxBytes) {
        actions.push({ kind: 'too-large', to, origin: attachment });
      } else {
        actions.push({ kind: 'copy', to, origin: attachment });
      }
    }
  }
  return actions;
}
