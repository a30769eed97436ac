/** A wrong command line: its message is the whole report, without a stack. */
export class UsageError extends Error {}

/** Runs a bench's entry point: a usage error prints its message, anything else its stack; both exit 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const report = error instanceof UsageError ? error.message : String((error as Error).stack ?? error);
    process.stderr.write(`bench: ${report}\n`);
    process.exitCode = 1;
  });
}
