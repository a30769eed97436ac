import { createHash } from 'node:crypto';

/** JSON values as fields carry them after mapping. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * A stable form of a field value for comparison: object keys sorted, strings with normalised line endings
 * and no trailing whitespace, and `undefined`/empty string/empty array all meaning "no value" — Jira returns
 * an unset field in any of those forms, and treating them differently would make a sync write back and forth.
 */
export function canonical(value: Json | undefined): Json {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const text = value
      .replace(/\r\n?/g, '\n')
      .replace(/[ \t]+$/gm, '')
      .trimEnd();
    return text === '' ? null : text;
  }
  if (Array.isArray(value)) {
    const items = (value as readonly Json[]).map(canonical);
    return items.length === 0 ? null : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, Json>)[key]);
      if (v !== null) out[key] = v;
    }
    return Object.keys(out).length === 0 ? null : out;
  }
  return value;
}

export function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** A short hash of the canonical value: what the state table keeps as the last-synced base. */
export function valueHash(value: Json | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('base64url')
    .slice(0, 22);
}
