import { ConfigError } from './config-error.ts';
import type { Config } from './schema.ts';
import { validateConfig } from './validate.ts';

/**
 * Set by esbuild `define` when CDK bundles a function: the config file's document travels inside the
 * bundle, so a function never reads a file and carries no YAML parser.
 */
declare const __JIRA_SYNC_CONFIG__: { source: string; document: unknown } | undefined;

let current: Config | undefined;

/**
 * The configuration of this process, validated once: the one installed by the local stack or a test, else
 * the copy compiled into the Lambda bundle.
 */
export function loadConfig(): Config {
  if (current) return current;
  if (typeof __JIRA_SYNC_CONFIG__ !== 'undefined' && __JIRA_SYNC_CONFIG__) {
    current = validateConfig(__JIRA_SYNC_CONFIG__.document, __JIRA_SYNC_CONFIG__.source);
    return current;
  }
  throw new ConfigError('(this process)', [
    {
      path: '(config)',
      message:
        'no configuration: functions get it compiled in by CDK; local runs install it with setConfigForProcess()',
    },
  ]);
}

/** Local stack and test seam: install an already validated config (or clear it with `undefined`). */
export function setConfigForProcess(config: Config | undefined): void {
  current = config;
}
