import { type Json, sameValue, valueHash } from './canonical.ts';

export type Side = 'source' | 'target';
export type Direction = 'two-way' | 'source-to-target' | 'target-to-source';
export type ConflictPolicy = 'newest-wins' | 'source-wins' | 'target-wins';

/** Hashes of a field's value on each side when the two sides last agreed. */
export interface FieldBase {
  readonly source: string;
  readonly target: string;
}

export type Base = Readonly<Record<string, FieldBase>>;

/** One mapped field as read now, with each side's value translated into the other side's terms. */
export interface FieldInput {
  readonly field: string;
  readonly direction: Direction;
  readonly source: Json;
  readonly target: Json;
  /** The source value as the target would hold it; `undefined` when it cannot be mapped. */
  readonly sourceAsTarget: Json | undefined;
  readonly targetAsSource: Json | undefined;
}

export interface FieldWrite {
  readonly field: string;
  readonly side: Side;
  readonly value: Json;
  readonly reason: 'changed' | 'conflict' | 'initial';
}

export interface FieldConflict {
  readonly field: string;
  readonly policy: ConflictPolicy;
  readonly winner: Side;
  readonly source: Json;
  readonly target: Json;
}

export interface FieldProblem {
  readonly field: string;
  readonly side: Side;
  readonly problem: 'unmappable';
}

export interface FieldPlan {
  readonly writes: readonly FieldWrite[];
  readonly conflicts: readonly FieldConflict[];
  readonly problems: readonly FieldProblem[];
  /** The base to record once the writes are applied: what each side holds afterwards. */
  readonly base: Base;
}

export interface MergeContext {
  readonly policy: ConflictPolicy;
  /** Jira `updated` times (ms) of the two issues, for newest-wins. */
  readonly sourceUpdated: number;
  readonly targetUpdated: number;
}

const flowsTo = (direction: Direction, side: Side): boolean =>
  direction === 'two-way' ||
  (side === 'target' ? direction === 'source-to-target' : direction === 'target-to-source');

function winnerOf(ctx: MergeContext): Side {
  if (ctx.policy === 'source-wins') return 'source';
  if (ctx.policy === 'target-wins') return 'target';
  // Ties go to the source: the side the flow was created from.
  return ctx.targetUpdated > ctx.sourceUpdated ? 'target' : 'source';
}

/**
 * Three-way merge of each mapped field against the last-synced base. A field changed on one side flows to
 * the other (if the field's direction allows); changed on both is a conflict settled by the policy; a
 * side that already holds the other side's value is left alone. Writes that would change nothing are
 * never planned, so the sync's own writes, read back, plan nothing: no echo, no loop.
 */
export function planFields(
  inputs: readonly FieldInput[],
  base: Base | undefined,
  ctx: MergeContext,
): FieldPlan {
  const writes: FieldWrite[] = [];
  const conflicts: FieldConflict[] = [];
  const problems: FieldProblem[] = [];
  const nextBase: Record<string, FieldBase> = {};

  for (const input of inputs) {
    const { field, direction } = input;
    const previous = base?.[field];
    const sourceChanged = previous === undefined || valueHash(input.source) !== previous.source;
    const targetChanged = previous !== undefined && valueHash(input.target) !== previous.target;
    let finalSource = input.source;
    let finalTarget = input.target;

    const write = (side: Side, reason: FieldWrite['reason']): boolean => {
      const value = side === 'target' ? input.sourceAsTarget : input.targetAsSource;
      if (value === undefined) {
        problems.push({ field, side, problem: 'unmappable' });
        return false;
      }
      const current = side === 'target' ? input.target : input.source;
      if (!sameValue(value, current)) writes.push({ field, side, value, reason });
      if (side === 'target') finalTarget = value;
      else finalSource = value;
      return true;
    };

    const inAgreement = input.sourceAsTarget !== undefined && sameValue(input.sourceAsTarget, input.target);

    if (inAgreement || (!sourceChanged && !targetChanged)) {
      // Nothing to do; a converged field (both sides edited to the same value) just gets a new base.
    } else if (sourceChanged && !targetChanged) {
      if (flowsTo(direction, 'target')) write('target', previous === undefined ? 'initial' : 'changed');
    } else if (targetChanged && !sourceChanged) {
      if (flowsTo(direction, 'source')) write('source', 'changed');
    } else {
      // Changed on both sides since the base: the flow's policy decides, limited by the field's direction.
      const preferred = winnerOf(ctx);
      const winner: Side = flowsTo(direction, preferred === 'source' ? 'target' : 'source')
        ? preferred
        : preferred === 'source'
          ? 'target'
          : 'source';
      const loserSide: Side = winner === 'source' ? 'target' : 'source';
      if (flowsTo(direction, loserSide)) {
        conflicts.push({ field, policy: ctx.policy, winner, source: input.source, target: input.target });
        write(loserSide, 'conflict');
      }
    }
    nextBase[field] = { source: valueHash(finalSource), target: valueHash(finalTarget) };
  }
  return { writes, conflicts, problems, base: nextBase };
}
