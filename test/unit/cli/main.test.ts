import { describe, expect, it } from 'vitest';
import { CliFailure } from '../../../shared/cli/args.ts';
import { COMMANDS, runCli } from '../../../shared/cli/main.ts';
import { memoryOutput } from '../../../shared/cli/output.ts';

async function run(argv: string[], deps: Partial<Parameters<typeof runCli>[1]> = {}) {
  const out = memoryOutput();
  const code = await runCli(argv, { output: () => out, env: {}, cwd: '/nonexistent', ...deps });
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

describe('jira-sync CLI', () => {
  it('has --help for every command, naming its options', async () => {
    for (const command of COMMANDS) {
      const help = await run([...command.words, '--help']);

      expect(help.code, command.words.join(' ')).toBe(0);
      expect(help.stdout).toContain(`usage: jira-sync ${command.words.join(' ')} `);
      expect(help.stdout).toContain('--local');
      for (const name of Object.keys(command.options)) expect(help.stdout).toContain(`--${name}`);
    }
  });

  it('lists the commands with --help, and with no arguments (exit 2)', async () => {
    const help = await run(['--help']);
    const none = await run([]);

    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(command.words.join(' '));
    expect(none.code).toBe(2);
  });

  it('explains a command group without its subcommand', async () => {
    const dlq = await run(['dlq']);

    expect(dlq.code).toBe(2);
    expect(dlq.stderr).toBe('jira-sync: dlq needs a subcommand: dlq list, dlq show, dlq redrive');
  });

  it('answers wrong usage with one line and exit code 2', async () => {
    const cases = [
      ['frobnicate'],
      ['status', '--bogus'],
      ['status', 'extra'],
      ['status', '--local', '--stack', 'x'],
      ['status', '--stack', 'jira-sync'],
      ['backfill', '--local'],
      ['dlq', 'list', '--local', '--filter', 'colour=red'],
      ['dlq', 'list', '--local', '--limit', '0'],
    ];
    for (const argv of cases) {
      const result = await run(argv, { resolveTarget: async () => undefined });

      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr.split('\n'), argv.join(' ')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });

  it('reports failures as one line naming the command, exit code 1', async () => {
    const noTarget = await run(['status']);
    const broken = await run(['status', '--local'], {
      resolveTarget: async () => {
        throw new CliFailure('the local stack in .local/stack.json is not running\n(stack trace...)');
      },
    });

    expect(noTarget).toMatchObject({
      code: 1,
      stderr:
        'jira-sync status: say which deployment: --local (the running npm start) or --stack <name> --region <region>',
    });
    expect(broken).toMatchObject({
      code: 1,
      stderr: 'jira-sync status: the local stack in .local/stack.json is not running',
    });
  });

  it('names a missing config file in doctor without a deployment', async () => {
    const result = await run(['doctor']);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'jira-sync doctor: no configuration: /nonexistent/jira-sync.config.yaml does not exist (pass --config <file> or set JIRA_SYNC_CONFIG)',
    );
  });
});
