import type * as z from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { type Config, configSchema } from './schema.ts';

/** Finds the 1-based line of a key path in the source file, when the caller knows the file. */
export type LocateKey = (path: readonly PropertyKey[]) => number | undefined;

/** Renders a zod path the way a user reads YAML: `connections[0].webhook.verify`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

function isMissing(raw: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return raw === undefined || raw === null;
  let node: unknown = raw;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  const last = path[path.length - 1] as PropertyKey;
  return node !== null && typeof node === 'object' && !(last in node);
}

function toProblem(issue: z.core.$ZodIssue, raw: unknown, locate: LocateKey | undefined): ConfigProblem {
  let message = issue.message;
  if (issue.code !== 'unrecognized_keys' && isMissing(raw, issue.path)) message = `missing; ${message}`;
  const line = locate?.(issue.path);
  const path = formatPath(issue.path);
  return line === undefined ? { path, message } : { path, line, message };
}

/**
 * Validates an already parsed configuration document (the YAML file's content as plain data). This is the
 * one validation every consumer runs — `npm start`, `cdk synth` and the Lambda functions — so defaults and
 * errors are the same everywhere. It has no YAML dependency, which keeps Lambda bundles small.
 */
export function validateConfig(document: unknown, source: string, locate?: LocateKey): Config {
  const result = configSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.map((issue) => toProblem(issue, document, locate)),
  );
}
