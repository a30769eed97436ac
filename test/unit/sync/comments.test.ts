import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueHash } from '../../../shared/sync/canonical.ts';
import {
  type CommentAction,
  type CommentLinkView,
  type CommentRules,
  type CommentView,
  planComments,
} from '../../../shared/sync/comments.ts';
import type { Side } from '../../../shared/sync/merge.ts';

const rules: CommentRules = {
  direction: 'two-way',
  ownAccount: { source: 'sync-cloud', target: 'sync-dc' },
  serviceDesk: { source: true, target: false },
  publicOnServiceDesk: false,
  internalToPublic: false,
  attribution: true,
  siteName: { source: 'acme.atlassian.net', target: 'jira.acme.internal' },
};

const c = (id: string, body: string, author = 'alice', extra: Partial<CommentView> = {}): CommentView => ({
  id,
  body,
  author,
  authorName: author === 'alice' ? 'Alice Chen' : author,
  ...extra,
});

/** A tiny two-sided Jira: applies planned actions the way the worker would, recording links. */
class World {
  sides: Record<Side, CommentView[]> = { source: [], target: [] };
  links: CommentLinkView[] = [];
  private next = 100;

  apply(actions: readonly CommentAction[], r: CommentRules = rules): void {
    for (const a of actions) {
      if (a.kind === 'add') {
        const id = String(this.next++);
        const from: Side = a.side === 'source' ? 'target' : 'source';
        this.sides[a.side].push({
          id,
          body: a.body,
          author: r.ownAccount[a.side] ?? 'sync',
          authorName: 'jira-sync',
          copyOf: { side: from, id: a.origin.id },
          ...(a.public === undefined ? {} : { public: a.public }),
        });
        this.links.push({
          origin: from,
          sourceId: from === 'source' ? a.origin.id : id,
          targetId: from === 'source' ? id : a.origin.id,
          source: valueHash(from === 'source' ? a.origin.body : a.body),
          target: valueHash(from === 'source' ? a.body : a.origin.body),
        });
      } else if (a.kind === 'edit') {
        const copy = this.sides[a.side].find((x) => x.id === a.commentId);
        if (copy) Object.assign(copy, { body: a.body });
        this.links = this.links.map((l) =>
          l === a.link ? { ...l, [a.link.origin]: valueHash(a.origin.body), [a.side]: valueHash(a.body) } : l,
        );
      } else if (a.kind === 'delete') {
        this.sides[a.side] = this.sides[a.side].filter((x) => x.id !== a.commentId);
        this.links = this.links.filter((l) => l !== a.link);
      } else if (a.kind === 'forget') {
        this.links = this.links.filter((l) => l !== a.link);
      } else if (a.kind === 'close') {
        this.links = this.links.map((l) => (l === a.link ? { ...l, closed: true } : l));
      } else if (a.kind === 'relink') {
        const from: Side = a.side === 'source' ? 'target' : 'source';
        this.links.push({
          origin: from,
          sourceId: from === 'source' ? a.origin.id : a.copy.id,
          targetId: from === 'source' ? a.copy.id : a.origin.id,
          source: valueHash(from === 'source' ? a.origin.body : a.copy.body),
          target: valueHash(from === 'source' ? a.copy.body : a.origin.body),
        });
      }
    }
  }

  plan(r: CommentRules = rules): CommentAction[] {
    return planComments(this.sides.source, this.sides.target, this.links, r);
  }

  sync(r: CommentRules = rules): CommentAction[] {
    const actions = this.plan(r);
    this.apply(actions, r);
    return actions;
  }
}

describe('planComments', () => {
  it('copies a public JSM reply to the Software issue with an attribution line', () => {
    const w = new World();
    w.sides.source.push(c('1', 'VPN is down again', 'alice', { public: true }));
    expect(w.sync()).toEqual([
      expect.objectContaining({
        kind: 'add',
        side: 'target',
        body: '_Alice Chen on acme.atlassian.net:_\nVPN is down again',
      }),
    ]);
  });

  it('copies engineering comments back to JSM as internal notes by default', () => {
    const w = new World();
    w.sides.target.push(c('7', 'Root cause: expired cert', 'bob'));
    expect(w.sync()).toEqual([expect.objectContaining({ kind: 'add', side: 'source', public: false })]);
  });

  it('keeps internal JSM notes off a Software issue unless the flow allows it', () => {
    const w = new World();
    w.sides.source.push(c('2', 'customer is VIP, be nice', 'agent', { public: false }));
    expect(w.sync()).toEqual([expect.objectContaining({ kind: 'skip', reason: 'internal-note' })]);
    expect(w.sides.target).toEqual([]);
    const allowed = w.sync({ ...rules, internalToPublic: true });
    expect(allowed).toEqual([expect.objectContaining({ kind: 'add', side: 'target' })]);
  });

  it('never copies its own copies back (no echo) and plans nothing after a sync', () => {
    const w = new World();
    w.sides.source.push(c('1', 'hello', 'alice', { public: true }));
    w.sides.target.push(c('9', 'hi', 'bob'));
    w.sync();
    expect(w.plan()).toEqual([]);
    expect(w.sides.source).toHaveLength(2);
    expect(w.sides.target).toHaveLength(2);
  });

  it('follows edits and deletes of the original', () => {
    const w = new World();
    w.sides.source.push(c('1', 'first', 'alice', { public: true }));
    w.sync();
    const original = w.sides.source[0];
    if (original) Object.assign(original, { body: 'first (edited)' });
    expect(w.sync()).toEqual([expect.objectContaining({ kind: 'edit', side: 'target' })]);
    expect(w.sides.target[0]?.body).toContain('first (edited)');
    w.sides.source = [];
    expect(w.sync()).toEqual([expect.objectContaining({ kind: 'delete', side: 'target' })]);
    expect(w.sides.target).toEqual([]);
    expect(w.plan()).toEqual([]);
  });

  it('deletes the original when its copy is deleted (two-way), and never recreates it', () => {
    const w = new World();
    w.sides.source.push(c('1', 'x', 'alice', { public: true }));
    w.sync();
    w.sides.target = [];
    expect(w.sync()).toEqual([expect.objectContaining({ kind: 'delete', side: 'source', commentId: '1' })]);
    expect(w.sides.source).toEqual([]);
    expect(w.plan()).toEqual([]);
  });

  it('keeps a pair closed when a copy is deleted where the deletion cannot flow back', () => {
    const oneWay = { ...rules, direction: 'source-to-target' as const };
    const w = new World();
    w.sides.source.push(c('1', 'x', 'alice', { public: true }));
    w.sync(oneWay);
    w.sides.target = [];
    expect(w.sync(oneWay)).toEqual([expect.objectContaining({ kind: 'close' })]);
    const original = w.sides.source[0];
    if (original) Object.assign(original, { body: 'edited later' });
    expect(w.plan(oneWay)).toEqual([]);
    expect(w.sides.source).toHaveLength(1);
  });

  it('finds a copy written before a crash instead of copying twice', () => {
    const w = new World();
    w.sides.source.push(c('1', 'x', 'alice', { public: true }));
    const actions = w.plan();
    w.apply(actions);
    w.links = []; // the crash: the copy exists in Jira, the link was never recorded
    expect(w.sync()).toEqual([expect.objectContaining({ kind: 'relink', side: 'target' })]);
    expect(w.sides.target).toHaveLength(1);
    expect(w.plan()).toEqual([]);
  });

  it('respects one-way flows', () => {
    const w = new World();
    w.sides.target.push(c('5', 'eng only', 'bob'));
    expect(w.sync({ ...rules, direction: 'source-to-target' })).toEqual([]);
  });
});

describe('planComments properties', () => {
  const op = fc.oneof(
    fc.record({
      op: fc.constant('add' as const),
      side: fc.constantFrom<Side>('source', 'target'),
      body: fc.string({ maxLength: 8 }),
      pub: fc.boolean(),
    }),
    fc.record({
      op: fc.constant('edit' as const),
      side: fc.constantFrom<Side>('source', 'target'),
      index: fc.nat(),
      body: fc.string({ maxLength: 8 }),
    }),
    fc.record({
      op: fc.constant('delete' as const),
      side: fc.constantFrom<Side>('source', 'target'),
      index: fc.nat(),
    }),
    fc.record({ op: fc.constant('sync' as const), crash: fc.boolean() }),
  );

  it('never duplicates, converges and then plans nothing', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const w = new World();
        let nextHuman = 1;
        for (const o of ops) {
          if (o.op === 'add') {
            w.sides[o.side].push(
              c(
                `h${nextHuman++}`,
                o.body || 'x',
                o.side === 'source' ? 'alice' : 'bob',
                o.side === 'source' ? { public: o.pub } : {},
              ),
            );
          } else if (o.op === 'edit' || o.op === 'delete') {
            // People edit originals, and delete any comment, copies included.
            const pool = o.op === 'edit' ? w.sides[o.side].filter((x) => !x.copyOf) : w.sides[o.side];
            const victim = pool[o.index % Math.max(pool.length, 1)];
            if (!victim) continue;
            if (o.op === 'edit') Object.assign(victim, { body: o.body || 'y' });
            else w.sides[o.side] = w.sides[o.side].filter((x) => x !== victim);
          } else {
            const actions = w.plan();
            if (o.crash) {
              // Writes land in Jira, the links are lost: only the Jira side effects of adds survive.
              const before = w.links;
              w.apply(actions.filter((a) => a.kind === 'add'));
              w.links = before;
            } else {
              w.apply(actions);
            }
          }
        }
        w.sync();
        w.sync();
        // Skipped internal notes are reported on every plan; nothing else may remain.
        expect(w.plan().filter((a) => a.kind !== 'skip')).toEqual([]);
        // Every human comment that may travel has exactly one copy on the other side, never two.
        for (const side of ['source', 'target'] as const) {
          const to: Side = side === 'source' ? 'target' : 'source';
          for (const human of w.sides[side].filter((x) => !x.copyOf)) {
            const copies = w.sides[to].filter((x) => x.copyOf?.id === human.id && x.copyOf.side === side);
            const travels = !(side === 'source' && human.public === false);
            expect(copies.length).toBe(travels ? 1 : 0);
          }
          // And no copy outlives its original.
          for (const copy of w.sides[to].filter((x) => x.copyOf?.side === side)) {
            expect(w.sides[side].some((x) => x.id === copy.copyOf?.id)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
