import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { type Config, configSchema } from './schema.ts';

/** Set by esbuild `define` when CDK bundles a function: the config file travels inside the bundle. */
declare const __JIRA_SYNC_CONFIG__: { source: string; text: string } | undefined;

export const DEFAULT_CONFIG_FILE = 'jira-sync.config.yaml';

/** Renders a zod path the way a user reads YAML: `connections[0].webhook.verify`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

/** Parses and validates config text (YAML or JSON). `source` names the file in error messages. */
export function parseConfigText(text: string, source: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: '(yaml)',
        line: lineCounter.linePos(e.pos[0]).line,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.map((issue) => toProblem(issue, raw, doc, lineCounter)),
  );
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

function toProblem(
  issue: z.core.$ZodIssue,
  raw: unknown,
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
): ConfigProblem {
  const path = issue.path;
  let line: number | undefined;
  // Walk up to the closest node that exists so a missing key still points at its parent.
  for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
  }
  let message = issue.message;
  if (issue.code !== 'unrecognized_keys' && isMissing(raw, path)) message = `missing; ${message}`;
  return line === undefined ? { path: formatPath(path), message } : { path: formatPath(path), line, message };
}

/** Reads and validates a config file from disk. */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read';
    throw new ConfigError(file, [{ path: '(file)', message: reason }], { cause });
  }
  return parseConfigText(text, file);
}

let cached: Config | undefined;

/**
 * The configuration of this process, parsed once: the copy bundled into a Lambda function when there is
 * one, else the file named by `JIRA_SYNC_CONFIG` (default `jira-sync.config.yaml`).
 */
export function loadConfig(): Config {
  if (cached) return cached;
  if (typeof __JIRA_SYNC_CONFIG__ !== 'undefined' && __JIRA_SYNC_CONFIG__) {
    cached = parseConfigText(__JIRA_SYNC_CONFIG__.text, __JIRA_SYNC_CONFIG__.source);
  } else {
    cached = loadConfigFile(process.env.JIRA_SYNC_CONFIG ?? DEFAULT_CONFIG_FILE);
  }
  return cached;
}

/** Test and local-stack seam: install an already parsed config (or clear it with `undefined`). */
export function setConfigForProcess(config: Config | undefined): void {
  cached = config;
}
