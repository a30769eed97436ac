import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, type QueueAttributeName, SQSClient } from '@aws-sdk/client-sqs';
import { DEMO_AUTH_SECRETS } from '../../local/demo-secrets.ts';
import { freePort } from '../../local/demo-stack.ts';
import type { LocalLog } from '../../local/local-log.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import type { Connection } from '../../shared/config/schema.ts';
import type { SecretStore } from '../../shared/jira/auth/secret-store.ts';
import { createJiraClient, type JiraClient } from '../../shared/jira/client.ts';
import type { Issue } from '../../simulator/model/types.ts';
import type { Site } from '../../simulator/site.ts';
import { BenchCheckFailed } from '../latency.ts';
import { SILENCED_OUTPUT } from '../local-stack.ts';
import { isRead } from './calls.ts';
import { ArrivalWatch } from './watch.ts';

const DEMO_CONFIG = fileURLToPath(new URL('../../local/demo.config.yaml', import.meta.url));
const WEBHOOK_SECRET = 'bench-sync-webhook-secret';
export const FLOW_ID = 'help-to-eng';

/** The two simulated sites of the demo flow: the service desk (source) and engineering (target). */
export type SiteName = 'help' | 'eng';
export const SITE_LABEL: Record<SiteName, string> = { help: 'HELP (demo-cloud)', eng: 'ENG (demo-dc)' };

/** A HELP request and the ENG issue it is (or, for the baseline, stands in for being) synced with. */
export interface IssuePair {
  readonly index: number;
  /** The simulator's live model objects: reading them is what "visible on the site" means here. */
  readonly help: Issue;
  readonly eng: Issue;
}

/** Jira requests answered per site and operation (`GET /rest/api/2/issue/{issueIdOrKey}`), from `stats()`. */
export type RequestCounts = Record<SiteName, Record<string, number>>;

/** When the stages of one pipeline change happened (performance.now()). */
export interface Trace {
  readonly source: SiteName;
  /** The source site got the ingest's 2xx for the change's first webhook: the event is on the queue. */
  webhookAcceptedAt?: number;
  /** The first Jira request the worker made for it was answered (on either site). */
  firstCallAt?: number;
  /** The last read (GET or search) answered so far: after it come the plan and the write(s). */
  lastReadAt?: number;
}

export interface RunChecks {
  readonly deadLettered: number;
  readonly failedRecords: number;
  readonly workerBatches: number;
  readonly contractViolations: number;
  /** Jira answers other than 2xx, per site and operation (none expected: no faults are injected). */
  readonly non2xx: Record<string, number>;
  /** WARN/ERROR lines from the local stack and simulator (first few kept). */
  readonly warnings: readonly string[];
}

export interface SyncStack {
  readonly sites: Record<SiteName, Site>;
  readonly connections: Record<SiteName, Connection>;
  /** The Jira client the baseline syncs with: one per connection, defaults as the worker's, integration accounts. */
  readonly clients: Record<SiteName, JiraClient>;
  readonly linked: readonly IssuePair[];
  readonly baseline: readonly IssuePair[];
  readonly statusIds: { readonly engDone: string; readonly engToDo: string };
  requests(): RequestCounts;
  /** Starts tracing one pipeline change; `undefined` stops. */
  trace(source: SiteName | undefined): Trace | undefined;
  /**
   * Waits until nothing is left in flight: every webhook due answered, the queue empty (nothing visible,
   * in flight or delayed) and no Jira request or delivery happening while that was checked.
   */
  quiet(): Promise<void>;
  checks(): Promise<RunChecks>;
  stop(): Promise<void>;
}

const siteOf = (stack: LocalStack, connectionId: string): Site => {
  const site = stack.simulator?.sites.find((s) => s.connectionId === connectionId)?.site;
  if (!site) throw new Error(`no simulated site ${connectionId}`);
  return site;
};

const connectionOf = (stack: LocalStack, id: string): Connection => {
  const connection = stack.config.connections.find((c) => c.id === id);
  if (!connection) throw new Error(`no connection ${id} in the demo configuration`);
  return connection;
};

function requestCounts(site: Site): Record<string, number> {
  return Object.fromEntries(Object.entries(site.stats().requests).map(([op, s]) => [op, s.count]));
}

function statusIdOf(site: Site, name: string): string {
  const status = [...site.state.statuses.values()].find((s) => s.name === name);
  if (!status) throw new Error(`${site.id} has no status ${name}`);
  return status.id;
}

/**
 * The whole product on 127.0.0.1, as test/e2e runs it: the demo configuration (flow `help-to-eng`) on free
 * ports, the Jira simulator with one site per connection, real ingest, fauxqs, dynalite, the real worker
 * and client. Then `concurrency` escalated requests synced into ENG (the linked pairs), and as many
 * unlinked pairs for the baseline, created without webhooks so the pipeline never touches them.
 */
export async function startSyncStack(concurrency: number): Promise<SyncStack> {
  Object.assign(process.env, SILENCED_OUTPUT);
  const stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-bench-sync-'));
  const [cloudPort, dcPort] = [await freePort(), await freePort()];
  const config = (await readFile(DEMO_CONFIG, 'utf8'))
    .replace('http://127.0.0.1:3101', `http://127.0.0.1:${cloudPort}`)
    .replace('http://127.0.0.1:3102', `http://127.0.0.1:${dcPort}`);
  const configPath = join(stateDir, 'config.yaml');
  await writeFile(configPath, config);

  let tracing: Trace | undefined;
  const warnings: string[] = [];
  let warningCount = 0;
  const deliveriesAnswered: Record<string, number> = {};
  let failedRecords = 0;
  let workerBatches = 0;
  const log: LocalLog = (level, message, fields = {}) => {
    if (message === 'webhook delivery') {
      const site = String(fields.site);
      deliveriesAnswered[site] = (deliveriesAnswered[site] ?? 0) + 1;
      const status = typeof fields.status === 'number' ? fields.status : 0;
      if (tracing && tracing.webhookAcceptedAt === undefined && status >= 200 && status < 300) {
        if (site === (tracing.source === 'help' ? 'demo-cloud' : 'demo-dc'))
          tracing.webhookAcceptedAt = performance.now();
      }
    }
    if (level !== 'INFO') {
      warningCount++;
      if (warnings.length < 5) warnings.push(`${level} ${message} ${JSON.stringify(fields).slice(0, 300)}`);
    }
  };

  const stack = await startLocalStack({
    configPath,
    port: 0,
    stateDir,
    log,
    // Long enough that a batch slowed by the client's pacing is never received twice.
    visibilityTimeoutSeconds: 30,
    secretsSeed: {
      ifMissing: DEMO_AUTH_SECRETS,
      always: { 'jira-sync/demo-cloud/webhook': WEBHOOK_SECRET, 'jira-sync/demo-dc/webhook': WEBHOOK_SECRET },
    },
    simulator: { ephemeralPorts: false, adminPort: 0, demoActivity: false },
    onWorkerBatch: (outcome) => {
      workerBatches++;
      failedRecords += outcome.failed.length;
    },
  });
  const sqs = new SQSClient({
    endpoint: stack.sqsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const stop = async () => {
    sqs.destroy();
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  };

  try {
    const sites: Record<SiteName, Site> = {
      help: siteOf(stack, 'demo-cloud'),
      eng: siteOf(stack, 'demo-dc'),
    };
    // Timestamps the first Jira request answered for a traced change. The simulator counts each request
    // just before it sends the response; the wrapper only notes the time and passes the call on.
    for (const site of Object.values(sites)) {
      const count = site.countRequest.bind(site);
      site.countRequest = (operation, status) => {
        if (tracing) {
          const now = performance.now();
          tracing.firstCallAt ??= now;
          if (isRead(operation)) tracing.lastReadAt = now;
        }
        count(operation, status);
      };
    }
    const connections: Record<SiteName, Connection> = {
      help: connectionOf(stack, 'demo-cloud'),
      eng: connectionOf(stack, 'demo-dc'),
    };
    // The same secrets the worker reads (the integration accounts), straight from the local store.
    const secrets: SecretStore = {
      read: async (id) => {
        const value = stack.localSecret(id);
        if (value === undefined) throw new Error(`no local secret ${id}`);
        return value;
      },
      write: async () => {
        throw new Error('the baseline never rotates credentials');
      },
    };
    const clients: Record<SiteName, JiraClient> = {
      help: createJiraClient(connections.help, { secrets }),
      eng: createJiraClient(connections.eng, { secrets }),
    };

    const requests = (): RequestCounts => ({
      help: requestCounts(sites.help),
      eng: requestCounts(sites.eng),
    });
    const activity = () => {
      const r = requests();
      const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
      return sum(r.help) + sum(r.eng) + Object.values(deliveriesAnswered).reduce((a, b) => a + b, 0);
    };
    const queueDepth = async (url: string, names: QueueAttributeName[]) => {
      const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
      return names.reduce((sum, name) => sum + Number(out.Attributes?.[name] ?? Number.NaN), 0);
    };
    const quiet = async () => {
      const until = performance.now() + 60_000;
      while (performance.now() < until) {
        const before = activity();
        await sites.help.webhooks.settle();
        await sites.eng.webhooks.settle();
        const depth = await queueDepth(stack.queueUrl, [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ]);
        if (depth === 0 && activity() === before) return;
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new BenchCheckFailed('the pipeline did not settle within 60 s');
    };

    const watch = new ArrivalWatch('timer');
    const linked: IssuePair[] = [];
    const raised = Array.from({ length: concurrency }, (_, index) => {
      const summary = `bench linked issue ${index}`;
      const request = sites.help.as('carol').raiseRequest({
        serviceDesk: 'HELP',
        requestType: 'Get IT help',
        summary,
      });
      sites.help.as('alice').transition(request.key, 'Escalate');
      return { index, summary, helpId: request.id };
    });
    for (const r of raised) {
      const findEng = () => [...sites.eng.state.issues.values()].find((i) => i.summary === r.summary);
      await watch.arrival(() => findEng() !== undefined, `the ENG issue for ${r.summary}`, 60_000);
      const help = sites.help.state.issues.get(r.helpId);
      const eng = findEng();
      if (!help || !eng) throw new BenchCheckFailed(`pair ${r.index} is incomplete`);
      linked.push({ index: r.index, help, eng });
    }
    const baseline: IssuePair[] = Array.from({ length: concurrency }, (_, index) => {
      const summary = `bench baseline issue ${index}`;
      const helpRef = sites.help.quietly(() =>
        sites.help.as('carol').raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary }),
      );
      const engRef = sites.eng.quietly(() =>
        sites.eng.as('bob').createIssue({ project: 'ENG', issueType: 'Bug', summary }),
      );
      const help = sites.help.state.issues.get(helpRef.id);
      const eng = sites.eng.state.issues.get(engRef.id);
      if (!help || !eng) throw new BenchCheckFailed(`baseline pair ${index} is incomplete`);
      return { index, help, eng };
    });
    await quiet();

    return {
      sites,
      connections,
      clients,
      linked,
      baseline,
      statusIds: { engDone: statusIdOf(sites.eng, 'Done'), engToDo: statusIdOf(sites.eng, 'To Do') },
      requests,
      trace: (source) => {
        tracing = source === undefined ? undefined : { source };
        return tracing;
      },
      quiet,
      checks: async () => {
        const non2xx: Record<string, number> = {};
        for (const [name, site] of Object.entries(sites)) {
          for (const [op, s] of Object.entries(site.stats().requests)) {
            const bad = Object.entries(s.byStatus)
              .filter(([status]) => !status.startsWith('2'))
              .reduce((sum, [, n]) => sum + n, 0);
            if (bad > 0) non2xx[`${name} ${op}`] = bad;
          }
        }
        return {
          deadLettered: await queueDepth(stack.dlqUrl, [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
          ]),
          failedRecords,
          workerBatches,
          contractViolations: sites.help.contractViolations().length + sites.eng.contractViolations().length,
          non2xx,
          warnings: warningCount > warnings.length ? [...warnings, `… ${warningCount} in all`] : warnings,
        };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
