import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../shared/sync/canonical.ts';
import {
  type Base,
  type Direction,
  type FieldInput,
  type MergeContext,
  planFields,
} from '../../../shared/sync/merge.ts';

const ctx = { policy: 'newest-wins' as const, sourceUpdated: 1000, targetUpdated: 2000 };

/** A priority field whose values are renamed between the sites. */
const TO_TARGET: Record<string, string> = { High: 'Critical', Low: 'Minor' };
const TO_SOURCE: Record<string, string> = { Critical: 'High', Minor: 'Low' };
function priority(source: Json, target: Json, direction: Direction = 'two-way'): FieldInput {
  return {
    field: 'priority',
    direction,
    source,
    target,
    sourceAsTarget: typeof source === 'string' ? TO_TARGET[source] : source,
    targetAsSource: typeof target === 'string' ? TO_SOURCE[target] : target,
  };
}
function text(field: string, source: Json, target: Json, direction: Direction = 'two-way'): FieldInput {
  return { field, direction, source, target, sourceAsTarget: source, targetAsSource: target };
}

/** Applies a plan to the two sides, as the worker would after writing to Jira. */
function apply(inputs: readonly FieldInput[], base: Base | undefined, c: MergeContext = ctx) {
  const plan = planFields(inputs, base, c);
  const values = new Map(inputs.map((i) => [i.field, { source: i.source, target: i.target }]));
  for (const w of plan.writes) {
    const v = values.get(w.field);
    if (v) v[w.side] = w.value;
  }
  return { plan, values };
}

describe('planFields', () => {
  it('copies every field to a new target on the first sync', () => {
    const plan = planFields([text('summary', 'VPN down', null), priority('High', null)], undefined, ctx);
    expect(plan.writes).toEqual([
      { field: 'summary', side: 'target', value: 'VPN down', reason: 'initial' },
      { field: 'priority', side: 'target', value: 'Critical', reason: 'initial' },
    ]);
  });

  it('plans nothing when the sync reads back its own writes (no echo)', () => {
    const first = planFields([text('summary', 'VPN down', null), priority('High', null)], undefined, ctx);
    const again = planFields(
      [text('summary', 'VPN down', 'VPN down'), priority('High', 'Critical')],
      first.base,
      ctx,
    );
    expect(again.writes).toEqual([]);
    expect(again.conflicts).toEqual([]);
  });

  it('flows a change on one side to the other', () => {
    const base = planFields([priority('High', 'Critical')], undefined, ctx).base;
    expect(planFields([priority('Low', 'Critical')], base, ctx).writes).toEqual([
      { field: 'priority', side: 'target', value: 'Minor', reason: 'changed' },
    ]);
    expect(planFields([priority('High', 'Minor')], base, ctx).writes).toEqual([
      { field: 'priority', side: 'source', value: 'Low', reason: 'changed' },
    ]);
  });

  it('respects one-way fields', () => {
    const base = planFields([text('summary', 'a', 'a', 'source-to-target')], undefined, ctx).base;
    expect(planFields([text('summary', 'a', 'b', 'source-to-target')], base, ctx).writes).toEqual([]);
    expect(planFields([text('summary', 'c', 'a', 'source-to-target')], base, ctx).writes).toHaveLength(1);
  });

  it('settles a conflict by the policy and records it', () => {
    const base = planFields([text('summary', 'a', 'a')], undefined, ctx).base;
    const both = [text('summary', 'from source', 'from target')];
    const newest = planFields(both, base, ctx);
    expect(newest.writes).toEqual([
      { field: 'summary', side: 'source', value: 'from target', reason: 'conflict' },
    ]);
    expect(newest.conflicts).toEqual([
      {
        field: 'summary',
        policy: 'newest-wins',
        winner: 'target',
        source: 'from source',
        target: 'from target',
      },
    ]);
    const sourceWins = planFields(both, base, { ...ctx, policy: 'source-wins' });
    expect(sourceWins.writes).toEqual([
      { field: 'summary', side: 'target', value: 'from source', reason: 'conflict' },
    ]);
  });

  it('lets a one-way field win on its own side whatever the policy', () => {
    const base = planFields([text('summary', 'a', 'a', 'source-to-target')], undefined, ctx).base;
    const plan = planFields([text('summary', 'x', 'y', 'source-to-target')], base, {
      ...ctx,
      policy: 'target-wins',
    });
    expect(plan.writes).toEqual([{ field: 'summary', side: 'target', value: 'x', reason: 'conflict' }]);
  });

  it('does not call a field edited to the same value on both sides a conflict', () => {
    const base = planFields([text('summary', 'a', 'a')], undefined, ctx).base;
    const plan = planFields([text('summary', 'b', 'b')], base, ctx);
    expect(plan).toMatchObject({ writes: [], conflicts: [] });
  });

  it('ignores representation noise (line endings, trailing spaces, empty vs missing)', () => {
    const base = planFields([text('description', 'line 1\nline 2', 'line 1\nline 2')], undefined, ctx).base;
    expect(
      planFields([text('description', 'line 1\r\nline 2  ', 'line 1\nline 2')], base, ctx).writes,
    ).toEqual([]);
    expect(planFields([text('labels', [], null)], undefined, ctx).writes).toEqual([]);
  });

  it('reports a value it cannot map instead of writing something wrong', () => {
    const plan = planFields([priority('Medium', null)], undefined, ctx);
    expect(plan.writes).toEqual([]);
    expect(plan.problems).toEqual([{ field: 'priority', side: 'target', problem: 'unmappable' }]);
  });
});

describe('planFields properties', () => {
  const value = fc.oneof(fc.constantFrom('High', 'Low'), fc.constant(null));
  const edit = fc.record({ side: fc.constantFrom('source', 'target'), value, sync: fc.boolean() });

  it('converges after any interleaving of edits and syncs, and then plans nothing', () => {
    fc.assert(
      fc.property(
        fc.array(edit, { maxLength: 30 }),
        fc.constantFrom('newest-wins', 'source-wins', 'target-wins'),
        (edits, policy) => {
          let source: Json = 'High';
          let target: Json = 'Critical';
          let base: Base | undefined;
          let clock = 0;
          let sourceUpdated = 0;
          let targetUpdated = 0;
          const sync = () => {
            const { plan, values } = apply([priority(source, target)], base, {
              policy,
              sourceUpdated,
              targetUpdated,
            });
            const v = values.get('priority');
            source = v?.source ?? null;
            target = v?.target ?? null;
            base = plan.base;
          };
          for (const e of edits) {
            clock++;
            if (e.side === 'source') {
              source = e.value;
              sourceUpdated = clock;
            } else {
              target = e.value === null ? null : (TO_TARGET[e.value] ?? null);
              targetUpdated = clock;
            }
            if (e.sync) sync();
          }
          sync();
          // Both sides agree, and a second pass (the echo of our own writes) plans nothing.
          expect(target).toEqual(typeof source === 'string' ? TO_TARGET[source] : null);
          const again = planFields([priority(source, target)], base, {
            policy,
            sourceUpdated,
            targetUpdated,
          });
          expect(again.writes).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
