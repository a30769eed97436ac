import type { Json } from './canonical.ts';
import type { FieldMeta } from './site-port.ts';

/**
 * Field values between Jira's REST v2 representation and the plain values the merge compares: a priority
 * or select option by its name, users by their id, lists sorted, dates as `YYYY-MM-DD`. Decoding never
 * throws on odd input: an unexpected shape decodes to `null` and is reported by the caller's schema checks.
 */

type Flavor = 'cloud' | 'datacenter';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const named = (v: unknown, key: 'name' | 'value'): string | null =>
  v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>)[key] === 'string'
    ? ((v as Record<string, unknown>)[key] as string)
    : null;

/** The id jira-sync uses for a user: accountId on Cloud, username (`name`) on Data Center. */
export function userId(raw: unknown, flavor: Flavor): string | null {
  if (raw === null || typeof raw !== 'object') return null;
  const user = raw as Record<string, unknown>;
  const id = flavor === 'cloud' ? user.accountId : user.name;
  return typeof id === 'string' && id !== '' ? id : null;
}

function sortedStrings(values: readonly (string | null)[]): Json {
  const kept = values.filter((v): v is string => v !== null && v !== '');
  return kept.length === 0 ? null : [...new Set(kept)].sort();
}

export function decodeField(meta: FieldMeta, raw: unknown, flavor: Flavor): Json {
  if (raw === undefined || raw === null) return null;
  switch (meta.type) {
    case 'string':
    case 'date':
    case 'datetime':
      return str(raw);
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    case 'priority':
      return named(raw, 'name');
    case 'option':
      return named(raw, 'value');
    case 'user':
      return userId(raw, flavor);
    case 'array': {
      if (!Array.isArray(raw)) return null;
      if (meta.items === 'string') return sortedStrings(raw.map(str));
      if (meta.items === 'component' || meta.items === 'version')
        return sortedStrings(raw.map((v) => named(v, 'name')));
      if (meta.items === 'option') return sortedStrings(raw.map((v) => named(v, 'value')));
      if (meta.items === 'user') return sortedStrings(raw.map((v) => userId(v, flavor)));
      return null;
    }
    default:
      return null;
  }
}

/** Field types the engine can copy; others are refused when the flow is checked against the site. */
export function isSupportedField(meta: FieldMeta): boolean {
  if (['string', 'date', 'datetime', 'number', 'priority', 'option', 'user'].includes(meta.type)) return true;
  return (
    meta.type === 'array' && ['string', 'component', 'version', 'option', 'user'].includes(meta.items ?? '')
  );
}

const userRef = (id: string, flavor: Flavor) => (flavor === 'cloud' ? { accountId: id } : { name: id });

/** The value to send in an edit or create for a plain value. */
export function encodeField(meta: FieldMeta, value: Json, flavor: Flavor): unknown {
  if (value === null) return meta.type === 'array' ? [] : null;
  switch (meta.type) {
    case 'priority':
      return { name: String(value) };
    case 'option':
      return { value: String(value) };
    case 'user':
      return userRef(String(value), flavor);
    case 'array': {
      const items = Array.isArray(value) ? value.map(String) : [String(value)];
      if (meta.items === 'component' || meta.items === 'version') return items.map((name) => ({ name }));
      if (meta.items === 'option') return items.map((v) => ({ value: v }));
      if (meta.items === 'user') return items.map((id) => userRef(id, flavor));
      return items;
    }
    default:
      return value;
  }
}
