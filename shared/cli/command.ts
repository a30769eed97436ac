import type { OptionSpec, ParsedArgs } from './args.ts';
import type { CliContext } from './context.ts';

/** One CLI command: its words (`dlq redrive`), help text and a plain function over the context. */
export interface Command {
  /** The words that select it, e.g. `['dlq', 'redrive']`. */
  readonly words: readonly string[];
  readonly summary: string;
  /** After `jira-sync <words>`, e.g. `--flow <id> [--jql <jql>]`. */
  readonly usage: string;
  /** Option lines for `--help` (`--flow <id>   the flow to backfill`). */
  readonly optionHelp: readonly (readonly [string, string])[];
  /** Paragraphs after the options. */
  readonly details?: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: number;
  /** Returns the exit code. */
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

export const TARGET_HELP: readonly (readonly [string, string])[] = [
  ['--local', 'the running local stack (npm start), found through .local/stack.json'],
  ['--local-file <path>', 'another stack file than .local/stack.json'],
  ['--stack <name> --region <r>', 'a deployed stack, found through its CloudFormation outputs and resources'],
  [
    '--config <file>',
    "the jira-sync config (default: the local stack's, $JIRA_SYNC_CONFIG, jira-sync.config.yaml)",
  ],
  ['--json', 'machine-readable output on stdout'],
  ['--no-color', 'no colours (also NO_COLOR=1; colours are used on a TTY only)'],
  ['-h, --help', 'this help'],
];
