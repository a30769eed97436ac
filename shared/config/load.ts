import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-error.ts';
import type { Config } from './schema.ts';
import { validateConfig } from './validate.ts';

/** Where `npm start`, the CLI and `cdk synth` look when `JIRA_SYNC_CONFIG` names no other file. */
export const DEFAULT_CONFIG_FILE = 'jira-sync.config.yaml';

export interface ConfigSource {
  readonly config: Config;
  /** The file's content as plain data, before defaults: what CDK compiles into the function bundles. */
  readonly document: unknown;
}

/** Parses and validates config text (YAML or JSON). `source` names the file in error messages. */
export function parseConfigSource(text: string, source: string): ConfigSource {
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
  const document: unknown = doc.toJS();
  // Walk up to the closest node that exists so a missing key still points at its parent.
  const locate = (path: readonly PropertyKey[]): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { config: validateConfig(document, source, locate), document };
}

export function parseConfigText(text: string, source: string): Config {
  return parseConfigSource(text, source).config;
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read';
    throw new ConfigError(file, [{ path: '(file)', message: reason }], { cause });
  }
}

/** Reads and validates a config file, keeping its plain document for bundling. */
export function loadConfigSource(file: string): ConfigSource {
  return parseConfigSource(readConfigText(file), file);
}

/** Reads and validates a config file from disk. */
export function loadConfigFile(file: string): Config {
  return loadConfigSource(file).config;
}
