import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_AUTH_SECRETS } from '../../local/demo-secrets.ts';
import type { WorkerHandler } from '../../local/handler-types.ts';
import { silentLog } from '../../local/local-log.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import type { CliDeps } from '../../shared/cli/context.ts';
import { runCli } from '../../shared/cli/main.ts';
import { memoryOutput } from '../../shared/cli/output.ts';
import type { QueuePort } from '../../shared/cli/queue.ts';
import { localDeployment, localStackFile } from '../../shared/cli/target.ts';
import type { Site } from '../../simulator/site.ts';
import { DEMO_CONFIG } from '../helpers/configs.ts';

/**
 * The whole product on 127.0.0.1 for the CLI tests (as in test/e2e): simulated Jira Cloud + JSM (demo-cloud,
 * HELP) and Data Center (demo-dc, ENG), the real ingest and worker, fauxqs and dynalite. `cli()` runs a
 * command in-process against it, as `jira-sync <argv> --local` would, and keeps everything it printed so a
 * test can scan it for secrets.
 */

export const WEBHOOK_SECRET = 'cli-test-webhook-secret-4f1c9b';
const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } as const;

/** Every secret value the stack holds: none may ever appear in CLI output. */
export const SECRET_VALUES: readonly string[] = [
  WEBHOOK_SECRET,
  ...Object.values(DEMO_AUTH_SECRETS).flatMap((json) =>
    Object.values(JSON.parse(json) as Record<string, string>).filter((v) => !v.includes('@')),
  ),
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = unknown>(): T;
}

export interface CliStack {
  readonly stack: LocalStack;
  readonly help: Site;
  readonly eng: Site;
  readonly stateDir: string;
  /** Everything any command printed in this stack's life. */
  readonly printed: string[];
  cli(argv: readonly string[], extra?: Partial<CliDeps>): Promise<CliRun>;
  stop(): Promise<void>;
}

export async function startCliStack(
  options: Partial<Pick<LocalStackOptions, 'visibilityTimeoutSeconds' | 'maxReceiveCount'>> & {
    readonly worker?: WorkerHandler;
  } = {},
): Promise<CliStack> {
  const saved = Object.fromEntries(Object.keys(QUIET).map((k) => [k, process.env[k]]));
  Object.assign(process.env, QUIET);
  const stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-cli-'));
  const [cloudPort, dcPort] = [await freePort(), await freePort()];
  const config = (await readFile(DEMO_CONFIG, 'utf8'))
    .replace('http://127.0.0.1:3101', `http://127.0.0.1:${cloudPort}`)
    .replace('http://127.0.0.1:3102', `http://127.0.0.1:${dcPort}`);
  const configPath = join(stateDir, 'config.yaml');
  await writeFile(configPath, config);
  const stack = await startLocalStack({
    configPath,
    port: 0,
    stateDir,
    log: silentLog,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 2,
    ...(options.maxReceiveCount === undefined ? {} : { maxReceiveCount: options.maxReceiveCount }),
    secretsSeed: {
      ifMissing: DEMO_AUTH_SECRETS,
      always: { 'jira-sync/demo-cloud/webhook': WEBHOOK_SECRET, 'jira-sync/demo-dc/webhook': WEBHOOK_SECRET },
    },
    simulator: { ephemeralPorts: false, adminPort: 0, demoActivity: false },
    ...(options.worker ? { handlers: { worker: options.worker } } : {}),
  });
  const site = (id: string) => {
    const found = stack.simulator?.sites.find((s) => s.connectionId === id)?.site;
    if (!found) throw new Error(`no simulated site ${id}`);
    return found;
  };
  const printed: string[] = [];
  // What `npm start` writes to .local/stack.json, as `--local` reads it.
  const deployment = localDeployment(localStackFile(stack));
  return {
    stack,
    help: site('demo-cloud'),
    eng: site('demo-dc'),
    stateDir,
    printed,
    async cli(argv, extra = {}) {
      const out = memoryOutput();
      const code = await runCli(argv, {
        output: () => out,
        cwd: stateDir,
        env: process.env,
        resolveTarget: async (global) => (global.local ? deployment : undefined),
        // A dead site should fail a test quickly, not after the worker's retry budget.
        jiraOptions: { maxAttempts: 2, maxRetryWaitMs: 5_000 },
        ...extra,
      });
      printed.push(...out.stdout, ...out.stderr, ...out.statuses);
      const stdout = out.stdout.join('\n');
      return {
        code,
        stdout,
        stderr: out.stderr.join('\n'),
        json: <T>() => JSON.parse(stdout) as T,
      };
    },
    async stop() {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/** A queue port that calls `onEnqueued(total)` after each enqueue (tests interrupt a backfill with it). */
export function watchedQueue(queue: QueuePort, onEnqueued: (total: number) => void): QueuePort {
  let total = 0;
  return {
    ...queue,
    async enqueue(url, events) {
      await queue.enqueue(url, events);
      total += events.length;
      onEnqueued(total);
    },
  };
}

/** Escalated service-desk requests on HELP, created without webhooks (issues that predate jira-sync). */
export function quietlyEscalated(help: Site, count: number, prefix = 'Existing request'): string[] {
  return help.quietly(() => {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const request = help.as('carol').raiseRequest({
        serviceDesk: 'HELP',
        requestType: 'Get IT help',
        summary: `${prefix} ${i}`,
      });
      help.as('alice').transition(request.key, 'Escalate');
      keys.push(request.key);
    }
    return keys;
  });
}

/** The live permission set of a user in a simulated project (tests take permissions away and give them back). */
export function projectGrants(site: Site, projectKey: string, handle: string): Set<string> {
  const project = [...site.state.projects.values()].find((p) => p.key === projectKey);
  const grants = project?.permissions.get(handle);
  if (!grants) throw new Error(`${handle} has no grants on ${projectKey}`);
  return grants as Set<string>;
}
