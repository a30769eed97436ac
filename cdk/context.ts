import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { JiraSyncStackProps } from './jira-sync-stack.ts';

/** The stack options an operator may set with `npx cdk deploy -c key=value` (or in cdk.json `context`). */
export type ContextOptions = Pick<
  JiraSyncStackProps,
  'placeholderSecrets' | 'sweepInterval' | 'webhookRefreshInterval' | 'stateRemovalPolicy'
>;

export const CONTEXT_KEYS = {
  placeholderSecrets: 'placeholderSecrets',
  sweepIntervalMinutes: 'sweepIntervalMinutes',
  webhookRefreshDays: 'webhookRefreshDays',
  stateRemovalPolicy: 'stateRemovalPolicy',
} as const;

/**
 * Reads the options from CDK context. `-c` values arrive as strings, cdk.json ones may be booleans or
 * numbers; anything else fails synth with a message naming the key.
 */
export function contextOptions(get: (key: string) => unknown): ContextOptions {
  const options: {
    -readonly [K in keyof ContextOptions]: ContextOptions[K];
  } = {};
  const placeholders = get(CONTEXT_KEYS.placeholderSecrets);
  if (placeholders !== undefined && placeholders !== false && placeholders !== 'false') {
    if (placeholders === true || placeholders === 'true' || placeholders === 'all') {
      options.placeholderSecrets = 'all';
    } else if (typeof placeholders === 'string' && placeholders.trim() !== '') {
      options.placeholderSecrets = placeholders
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '');
    } else {
      throw new Error(
        `context ${CONTEXT_KEYS.placeholderSecrets} must be true (every secret the config names) or a comma-separated list of secret names (got ${JSON.stringify(placeholders)})`,
      );
    }
  }
  const sweep = wholeNumber(get, CONTEXT_KEYS.sweepIntervalMinutes, 1, 1440);
  if (sweep !== undefined) options.sweepInterval = Duration.minutes(sweep);
  const refresh = wholeNumber(get, CONTEXT_KEYS.webhookRefreshDays, 1, 25);
  if (refresh !== undefined) options.webhookRefreshInterval = Duration.days(refresh);
  const removal = get(CONTEXT_KEYS.stateRemovalPolicy);
  if (removal !== undefined) {
    if (removal === 'retain') options.stateRemovalPolicy = RemovalPolicy.RETAIN;
    else if (removal === 'destroy') options.stateRemovalPolicy = RemovalPolicy.DESTROY;
    else {
      throw new Error(
        `context ${CONTEXT_KEYS.stateRemovalPolicy} must be "retain" or "destroy" (got ${JSON.stringify(removal)})`,
      );
    }
  }
  return options;
}

function wholeNumber(
  get: (key: string) => unknown,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const raw = get(key);
  if (raw === undefined) return undefined;
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `context ${key} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}
