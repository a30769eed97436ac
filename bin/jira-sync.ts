import { resetAwsClients } from '../shared/aws/clients.ts';
import { defaultCliDeps } from '../shared/cli/defaults.ts';
import { runCli } from '../shared/cli/main.ts';

/**
 * `npx jira-sync <command>`: the operator CLI (commands in shared/cli/, usage in docs/cli.md). Started by
 * bin/jira-sync.mjs, which registers tsx so Node 20 can run this TypeScript.
 */

// Node 20 is supported for the CLI (Lambda runs 24); the SDK's notice would only get in the way.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\nstopping after the current step (Ctrl-C again to quit at once)...\n');
  controller.abort();
});

const code = await runCli(process.argv.slice(2), defaultCliDeps({ signal: controller.signal }));
process.exitCode = code;
// Idle SDK connections must not keep the process alive once the command is done.
resetAwsClients();
setTimeout(() => process.exit(code), 2_000).unref();
