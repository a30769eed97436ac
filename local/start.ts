import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { localStackFile, writeLocalStackFile } from '../shared/cli/target.ts';
import { ConfigError } from '../shared/config/config-error.ts';
import { DEFAULT_CONFIG_FILE } from '../shared/config/load.ts';
import { AppError } from '../shared/errors/app-error.ts';
import { renderBanner } from './banner.ts';
import { DEFAULT_DEMO_WEBHOOK_SECRET, DEMO_AUTH_SECRETS, demoWebhookSecrets } from './demo-secrets.ts';
import { checkFlows } from './flow-checks.ts';
import { errorFields } from './local-log.ts';
import { sampleIssueUpdated } from './sample-webhook.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

/** `npm start`: the local stack on 127.0.0.1:$PORT with the project's config, or the demo one. */

const DEMO_CONFIG = fileURLToPath(new URL('./demo.config.yaml', import.meta.url));

// Node 20 is supported locally (Lambda runs 24); the SDK's notice would only bury the banner.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const portSchema = z.coerce.number().int().min(0).max(65535);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function chooseConfig(): string {
  const fromEnv = process.env.JIRA_SYNC_CONFIG;
  if (fromEnv) return resolve(fromEnv);
  return existsSync(DEFAULT_CONFIG_FILE) ? resolve(DEFAULT_CONFIG_FILE) : DEMO_CONFIG;
}

const USAGE = 'usage: npm start [-- --no-demo-activity] [-- --no-simulator]';

function parseFlags(argv: readonly string[]): { demoActivity: boolean; simulator: boolean } {
  const flags = { demoActivity: true, simulator: true };
  for (const arg of argv) {
    if (arg === '--no-demo-activity') flags.demoActivity = false;
    else if (arg === '--no-simulator') flags.simulator = false;
    else fail(`unknown option ${arg}\n${USAGE}`);
  }
  return flags;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const port = portSchema.safeParse(process.env.PORT ?? 3000);
  if (!port.success) fail(`PORT must be a port number (0-65535), got ${JSON.stringify(process.env.PORT)}`);
  const configPath = chooseConfig();
  const isDemo = configPath === DEMO_CONFIG;
  const envSecret = process.env.JIRA_SYNC_DEMO_WEBHOOK_SECRET;
  const webhookSecret = envSecret || DEFAULT_DEMO_WEBHOOK_SECRET;

  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      configPath,
      port: port.data,
      // As the deployed EventBridge schedule does: missed webhooks converge within a minute.
      sweepEveryMs: 60_000,
      ...(isDemo
        ? { secretsSeed: { ifMissing: DEMO_AUTH_SECRETS, always: demoWebhookSecrets(webhookSecret) } }
        : {}),
      // The demo connections point at simulated Jira sites on 127.0.0.1; a real config points at real Jira.
      ...(isDemo && flags.simulator ? { simulator: { demoActivity: flags.demoActivity ? {} : false } } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    if (error instanceof AppError) {
      // Expected failures (port in use, unreadable secrets file): the message and its cause suffice.
      const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
      fail(`jira-sync local stack failed to start: ${error.message}${cause}`);
    }
    fail(`jira-sync local stack failed to start: ${JSON.stringify(errorFields(error), null, 2)}`);
  }

  const flowCheck = await checkFlows(stack.config);
  if (flowCheck.problems.length > 0) {
    await stack.stop();
    fail(
      `jira-sync: the configuration's flows do not match the Jira sites:\n${flowCheck.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  for (const note of flowCheck.unchecked) process.stderr.write(`warning: ${note}\n`);

  const samples = new Map<string, { file: string; body: string }>();
  for (const connection of stack.config.connections) {
    const body = sampleIssueUpdated(connection);
    const file = resolve(stack.stateDir, `sample-webhook.${connection.id}.json`);
    await writeFile(file, body);
    samples.set(connection.id, { file, body });
  }
  process.stdout.write(
    renderBanner({
      ...stack,
      connections: stack.config.connections,
      webhookUrl: stack.webhookUrl,
      localSecret: stack.localSecret,
      samples,
      ...(isDemo ? { demo: { webhookSecret, isDefault: !envSecret } } : {}),
      ...(stack.simulator
        ? {
            jiraSimulator: {
              sites: stack.simulator.sites.map((s) => {
                const connection = stack.config.connections.find((c) => c.id === s.connectionId);
                return {
                  connectionId: s.connectionId,
                  flavour: s.site.flavour,
                  baseUrl: s.site.baseUrl,
                  projectKey: s.projectKey,
                  serviceManagement: connection?.serviceManagement ?? false,
                  credentials: s.credentials,
                  ...(s.site.flavour === 'cloud' ? { cloudId: s.site.cloudId } : {}),
                };
              }),
              adminUrl: stack.simulator.simulator.adminUrl,
              gatewayUrl: stack.simulator.simulator.gatewayUrl,
              demoActivity: stack.simulator.activity !== undefined,
            },
          }
        : {}),
      cwd: process.cwd(),
    }),
  );

  // Tells `npx jira-sync --local` where this stack's queues, table and Secrets Manager are (no secret values).
  const removeStackFile = await writeLocalStackFile(
    resolve(stack.stateDir, 'stack.json'),
    localStackFile(stack),
  );

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`\n${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    process.stdout.write(`\n${signal}: stopping the local stack...\n`);
    Promise.all([removeStackFile(), stack.stop()]).then(
      () => process.exit(0),
      (error: unknown) => fail(`error while stopping: ${String(error)}`),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

await main();
