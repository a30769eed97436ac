import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Wrong usage (unknown option, missing argument): exit code 2 and a pointer to `--help`. */
export class CliUsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** A command could not do its job; the message is the one line the operator sees. Exit code 1. */
export class CliFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliFailure';
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

/** Options every command takes: where the deployment is, where the config is, how to print. */
export const GLOBAL_OPTIONS = {
  local: { type: 'boolean' },
  'local-file': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

export interface GlobalOptions {
  readonly local: boolean;
  readonly localFile: string | undefined;
  readonly stack: string | undefined;
  readonly region: string | undefined;
  readonly config: string | undefined;
  readonly json: boolean;
  readonly noColor: boolean;
  readonly help: boolean;
}

export interface ParsedArgs {
  readonly global: GlobalOptions;
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses a command's arguments (after the command words) strictly: unknown options are usage errors. */
export function parseCommandArgs(
  argv: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
  command: string,
  maxPositionals = 0,
): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...options } as NonNullable<ParseArgsConfig['options']>,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliUsageError(firstLine(error instanceof Error ? error.message : String(error)), command);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  if (!help && parsed.positionals.length > maxPositionals) {
    throw new CliUsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`, command);
  }
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    global: {
      local: values.local === true,
      localFile: str('local-file'),
      stack: str('stack'),
      region: str('region'),
      config: str('config'),
      json: values.json === true,
      noColor: values['no-color'] === true,
      help,
    },
    values,
    positionals: parsed.positionals,
  };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A positive whole number option, or its default. */
export function intOption(args: ParsedArgs, name: string, fallback: number, command: string): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new CliUsageError(`--${name} must be a positive whole number, got "${raw}"`, command);
  }
  return Number(raw);
}

export function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).trim();
}
