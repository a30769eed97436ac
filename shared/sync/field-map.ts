import type { FieldMapping, Flow } from '../config/flows.ts';
import type { Json } from './canonical.ts';
import { FlowMisconfigured } from './errors.ts';
import { isSupportedField } from './field-codec.ts';
import type { Direction } from './merge.ts';
import type { FieldMeta } from './site-port.ts';

/** A flow's field mapping resolved against the two sites' field lists. */
export interface ResolvedField {
  /** Stable name of the mapping in the link's base (survives field renames). */
  readonly key: string;
  readonly source?: FieldMeta;
  readonly target: FieldMeta;
  readonly direction: Direction;
  readonly toTarget: (value: Json) => Json | undefined;
  readonly toSource: (value: Json) => Json | undefined;
  readonly isUser: boolean;
  /** A constant written to the target; no source field. */
  readonly constant?: Json;
}

function find(fields: readonly FieldMeta[], idOrName: string, where: string, flowId: string): FieldMeta {
  const lower = idOrName.toLowerCase();
  const byId = fields.find((f) => f.id === idOrName);
  const byName = fields.filter((f) => f.name.toLowerCase() === lower);
  const field = byId ?? (byName.length === 1 ? byName[0] : undefined);
  if (field) {
    if (!isSupportedField(field)) {
      throw new FlowMisconfigured(
        `flow ${flowId}: field "${idOrName}" on ${where} has type ${field.type}${field.items ? `<${field.items}>` : ''}, which jira-sync cannot copy`,
      );
    }
    return field;
  }
  const hint =
    byName.length > 1 ? ` (${byName.length} fields share that name: use the id, e.g. ${byName[0]?.id})` : '';
  throw new FlowMisconfigured(`flow ${flowId}: no field "${idOrName}" on ${where}${hint}`);
}

/** Maps scalar or list values through a value table; unmapped values pass unchanged only without a table. */
function through(table: Readonly<Record<string, string>> | undefined): (value: Json) => Json | undefined {
  if (!table) return (v) => v;
  const lookup = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
  const one = (v: Json): Json | undefined => (v === null ? null : lookup.get(String(v).toLowerCase()));
  return (value) => {
    if (Array.isArray(value)) {
      const out = (value as Json[]).map(one);
      return out.some((v) => v === undefined) ? undefined : (out as Json[]);
    }
    return one(value);
  };
}

function invert(
  table: Readonly<Record<string, string>>,
  key: string,
  flowId: string,
  twoWay: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(table)) {
    const existing = out[to];
    if (existing !== undefined && twoWay) {
      throw new FlowMisconfigured(
        `flow ${flowId}: values of ${key} map "${existing}" and "${from}" both to "${to}", so a two-way sync cannot map "${to}" back`,
      );
    }
    out[to] ??= from;
  }
  return out;
}

function resolveOne(
  mapping: FieldMapping,
  flow: Flow,
  sourceFields: readonly FieldMeta[],
  targetFields: readonly FieldMeta[],
): ResolvedField {
  const targetWhere = `${flow.target.connection} (target)`;
  if ('constant' in mapping) {
    const target = find(targetFields, mapping.target, targetWhere, flow.id);
    return {
      key: `const:${target.id}`,
      target,
      direction: 'source-to-target',
      toTarget: () => mapping.constant as Json,
      toSource: () => undefined,
      isUser: false,
      constant: mapping.constant as Json,
    };
  }
  const source = find(sourceFields, mapping.source, `${flow.source.connection} (source)`, flow.id);
  const target = find(targetFields, mapping.target ?? mapping.source, targetWhere, flow.id);
  const direction = mapping.direction ?? flow.direction;
  const isUser = source.type === 'user' || source.items === 'user';
  if (isUser !== (target.type === 'user' || target.items === 'user')) {
    throw new FlowMisconfigured(
      `flow ${flow.id}: ${source.name} and ${target.name} are not both user fields`,
    );
  }
  const values = mapping.values;
  return {
    key: `${source.id}>${target.id}`,
    source,
    target,
    direction,
    toTarget: through(values),
    toSource: through(values ? invert(values, source.name, flow.id, direction === 'two-way') : undefined),
    isUser,
  };
}

/** Resolves every field mapping of a flow, failing with a message that names the flow, field and site. */
export function resolveFields(
  flow: Flow,
  sourceFields: readonly FieldMeta[],
  targetFields: readonly FieldMeta[],
): ResolvedField[] {
  const resolved = flow.fields.map((m) => resolveOne(m, flow, sourceFields, targetFields));
  const seen = new Set<string>();
  for (const field of resolved) {
    if (seen.has(field.target.id)) {
      throw new FlowMisconfigured(`flow ${flow.id}: target field ${field.target.name} is mapped twice`);
    }
    seen.add(field.target.id);
  }
  return resolved;
}
