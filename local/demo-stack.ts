import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Site } from '../simulator/site.ts';
import { DEMO_AUTH_SECRETS } from './demo-secrets.ts';
import { silentLog } from './local-log.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from './stack.ts';

const DEMO_CONFIG = fileURLToPath(new URL('./demo.config.yaml', import.meta.url));

/** A free TCP port on 127.0.0.1 (taken and released; the caller binds it right after). */
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

export interface DemoStack {
  readonly stack: LocalStack;
  /** The simulated Jira Cloud + Service Management site (`demo-cloud`, project HELP). */
  readonly help: Site;
  /** The simulated Jira Data Center site (`demo-dc`, project ENG). */
  readonly eng: Site;
  readonly stateDir: string;
  /** Stops the stack and removes its state directory. */
  stop(): Promise<void>;
}

/**
 * The whole product as `npm start` runs the demo — demo configuration and flow, simulated sites, real
 * ingest, worker, client, fauxqs and dynalite — but on free ports and a temporary state directory, so e2e
 * tests, the chaos campaign and benchmarks can run beside each other.
 */
export async function startDemoStack(
  options: { readonly webhookSecret: string } & Partial<Omit<LocalStackOptions, 'configPath' | 'stateDir'>>,
): Promise<DemoStack> {
  const { webhookSecret, ...overrides } = options;
  const stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-demo-'));
  const config = (await readFile(DEMO_CONFIG, 'utf8'))
    .replace('http://127.0.0.1:3101', `http://127.0.0.1:${await freePort()}`)
    .replace('http://127.0.0.1:3102', `http://127.0.0.1:${await freePort()}`);
  const configPath = join(stateDir, 'config.yaml');
  await writeFile(configPath, config);
  const stack = await startLocalStack({
    port: 0,
    log: silentLog,
    secretsSeed: {
      ifMissing: DEMO_AUTH_SECRETS,
      always: { 'jira-sync/demo-cloud/webhook': webhookSecret, 'jira-sync/demo-dc/webhook': webhookSecret },
    },
    simulator: { ephemeralPorts: false, adminPort: 0, demoActivity: false },
    ...overrides,
    configPath,
    stateDir,
  });
  const site = (id: string) => {
    const found = stack.simulator?.sites.find((s) => s.connectionId === id)?.site;
    if (!found) throw new Error(`no simulated site ${id}`);
    return found;
  };
  return {
    stack,
    help: site('demo-cloud'),
    eng: site('demo-dc'),
    stateDir,
    stop: async () => {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
