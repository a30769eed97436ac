import { ConfigError } from '../config/config-error.ts';
import { AppError } from '../errors/app-error.ts';
import { CliFailure, CliUsageError, firstLine, type GlobalOptions, parseCommandArgs } from './args.ts';
import { backfillCommand } from './backfill.ts';
import type { Command } from './command.ts';
import { type CliDeps, createContext } from './context.ts';
import { dlqListCommand, dlqRedriveCommand, dlqShowCommand } from './dlq.ts';
import { doctorCommand } from './doctor.ts';
import type { Output } from './output.ts';
import { statusCommand } from './status.ts';
import { webhooksListCommand, webhooksRegisterCommand, webhooksRemoveCommand } from './webhooks.ts';

export const COMMANDS: readonly Command[] = [
  doctorCommand,
  statusCommand,
  dlqListCommand,
  dlqShowCommand,
  dlqRedriveCommand,
  backfillCommand,
  webhooksRegisterCommand,
  webhooksListCommand,
  webhooksRemoveCommand,
];

const NAME = 'jira-sync';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.words.join(' ').length));
  return [
    `usage: ${NAME} <command> [options]`,
    '',
    'Operate a jira-sync deployment: the running local stack (--local) or a deployed stack',
    '(--stack <name> --region <r>).',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    `Run ${NAME} <command> --help for its options. Exit codes: 0 ok, 1 failure or a failed check,`,
    '2 wrong usage, 130 interrupted.',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const width = Math.max(...command.optionHelp.map(([o]) => o.length));
  return [
    `usage: ${NAME} ${command.words.join(' ')} ${command.usage}`,
    '',
    `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`,
    '',
    'options:',
    ...command.optionHelp.map(([o, d]) => `  ${o.padEnd(width)}  ${d}`),
    ...(command.details ?? []).flatMap((d) => ['', ...wrap(d, 100)]),
  ].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The command its leading words select (`dlq redrive …`), and the arguments after them. */
export function findCommand(argv: readonly string[]): {
  command: Command | undefined;
  rest: readonly string[];
} {
  for (const command of [...COMMANDS].sort((a, b) => b.words.length - a.words.length)) {
    if (command.words.every((w, i) => argv[i] === w)) {
      return { command, rest: argv.slice(command.words.length) };
    }
  }
  return { command: undefined, rest: argv };
}

const QUIET_GLOBAL: GlobalOptions = {
  local: false,
  localFile: undefined,
  stack: undefined,
  region: undefined,
  config: undefined,
  json: false,
  noColor: false,
  help: false,
};

/**
 * Runs one CLI invocation and returns its exit code. Errors end as one line on stderr (`jira-sync: …`);
 * set JIRA_SYNC_DEBUG=1 for the stack trace.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { command, rest } = findCommand(argv);
  const earlyOut = (): Output => deps.output({ ...QUIET_GLOBAL, noColor: argv.includes('--no-color') });
  if (!command) {
    const out = earlyOut();
    const firstOption = argv.findIndex((a) => a.startsWith('-'));
    const words = firstOption === -1 ? [...argv] : argv.slice(0, firstOption);
    if (words.length === 0 && (argv.includes('--help') || argv.includes('-h') || argv.length === 0)) {
      out.line(mainHelp());
      return argv.length === 0 ? 2 : 0;
    }
    const group = COMMANDS.filter((c) => c.words[0] === words[0]);
    if (group.length > 0 && (words.length === 1 || argv.includes('--help') || argv.includes('-h'))) {
      const known = group.map((c) => c.words.join(' ')).join(', ');
      if (argv.includes('--help') || argv.includes('-h')) {
        out.line(`${NAME} ${words[0]}: ${known}`);
        for (const c of group) out.line(`  ${c.words.join(' ')}  ${c.summary}`);
        return 0;
      }
      out.error(`${NAME}: ${words[0]} needs a subcommand: ${known}`);
      return 2;
    }
    out.error(`${NAME}: unknown command "${words.join(' ') || argv.join(' ')}"; run ${NAME} --help`);
    return 2;
  }
  const name = command.words.join(' ');
  let ctxOut: Output | undefined;
  try {
    const args = parseCommandArgs(rest, command.options, name, command.positionals ?? 0);
    if (args.global.help) {
      deps.output(args.global).line(commandHelp(command));
      return 0;
    }
    if (args.global.local && args.global.stack) {
      throw new CliUsageError('give either --local or --stack, not both', name);
    }
    if (args.global.stack && !args.global.region && !(deps.env ?? process.env).AWS_REGION) {
      throw new CliUsageError('--stack needs --region (or AWS_REGION)', name);
    }
    const ctx = createContext(args.global, deps);
    ctxOut = ctx.out;
    return await command.run(ctx, args);
  } catch (error) {
    const out = ctxOut ?? earlyOut();
    if (error instanceof CliUsageError) {
      out.error(`${NAME} ${name}: ${error.message} (see ${NAME} ${name} --help)`);
      return 2;
    }
    out.error(`${NAME} ${name}: ${describeError(error)}`);
    if ((deps.env ?? process.env).JIRA_SYNC_DEBUG && error instanceof Error && error.stack)
      out.error(error.stack);
    return 1;
  }
}

function describeError(error: unknown): string {
  if (error instanceof CliFailure) return firstLine(error.message);
  if (error instanceof ConfigError) return firstLine(error.message);
  if (error instanceof AppError) return firstLine(error.message);
  const name = (error as { name?: string })?.name;
  const message = error instanceof Error ? error.message : String(error);
  // AWS SDK errors: their name says most (AccessDenied, ResourceNotFoundException, …).
  if (name && name !== 'Error' && !message.startsWith(name)) return `${name}: ${firstLine(message)}`;
  return firstLine(message) || 'unexpected error';
}
