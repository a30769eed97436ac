import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, type QueueAttributeName, SQSClient } from '@aws-sdk/client-sqs';
import { type DemoStack, startDemoStack } from '../../local/demo-stack.ts';
import type { WorkerHandler } from '../../local/handler-types.ts';
import type { LocalLog } from '../../local/local-log.ts';
import type { Site } from '../../simulator/site.ts';
import { BenchCheckFailed } from '../latency.ts';
import { SILENCED_OUTPUT } from '../local-stack.ts';

/** The demo flow: requests escalated on HELP (demo-cloud, source) get a Bug in ENG (demo-dc, target). */
export const FLOW_ID = 'help-to-eng';

const WORKER_MODULE = new URL('../../functions/sync-worker/handler.ts', import.meta.url).href;

export interface RunChecks {
  readonly deadLettered: number;
  readonly failedRecords: number;
  readonly workerBatches: number;
  readonly contractViolations: number;
  /** WARN/ERROR lines of the local stack and simulator (first few kept). */
  readonly warnings: readonly string[];
}

/** Requests answered by a site, per operation (`GET /rest/api/2/issue/{issueIdOrKey}`) and status. */
export type StatusCounts = Record<string, Record<string, number>>;

export interface BenchDemo {
  readonly demo: DemoStack;
  readonly help: Site;
  readonly eng: Site;
  /** Messages in the main queue: visible, in flight and delayed. */
  queueLeft(): Promise<number>;
  /**
   * Waits until nothing is left: webhooks due answered, the queue empty and no Jira request or delivery
   * during the check.
   */
  quiet(timeoutMs?: number): Promise<void>;
  /**
   * The next worker batch runs in a new container, as after a Lambda cold start: the worker module is
   * imported afresh, with its own Jira clients, so nothing the previous one learnt (pacing, pauses) stays.
   */
  newWorkerContainer(): void;
  checks(): Promise<RunChecks>;
  stop(): Promise<void>;
}

export function statusCounts(site: Site): StatusCounts {
  return Object.fromEntries(Object.entries(site.stats().requests).map(([op, s]) => [op, { ...s.byStatus }]));
}

/** `after - before`, per operation and status, dropping zeros. */
export function countsSince(before: StatusCounts, after: StatusCounts): StatusCounts {
  const delta: StatusCounts = {};
  for (const [op, byStatus] of Object.entries(after)) {
    for (const [status, n] of Object.entries(byStatus)) {
      const d = n - (before[op]?.[status] ?? 0);
      if (d === 0) continue;
      const entry = delta[op] ?? {};
      entry[status] = d;
      delta[op] = entry;
    }
  }
  return delta;
}

export function total(counts: StatusCounts, status?: (s: string) => boolean): number {
  let sum = 0;
  for (const byStatus of Object.values(counts)) {
    for (const [s, n] of Object.entries(byStatus)) if (!status || status(s)) sum += n;
  }
  return sum;
}

/**
 * The whole product on free ports through `startDemoStack` (local/demo-stack.ts): the demo configuration,
 * the simulated sites, the real ingest, worker and Jira client, fauxqs and dynalite, all in this process
 * and on 127.0.0.1. Logging is silenced as in the other benches; warnings and errors are kept as checks.
 */
export async function startBenchDemo(options: {
  readonly visibilityTimeoutSeconds: number;
}): Promise<BenchDemo> {
  Object.assign(process.env, SILENCED_OUTPUT, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const warnings: string[] = [];
  let warningCount = 0;
  let failedRecords = 0;
  let workerBatches = 0;
  let deliveries = 0;
  const log: LocalLog = (level, message, fields = {}) => {
    if (message === 'webhook delivery') deliveries++;
    if (level !== 'INFO') {
      warningCount++;
      if (warnings.length < 5) warnings.push(`${level} ${message} ${JSON.stringify(fields).slice(0, 300)}`);
    }
  };
  const containers = workerContainers();
  const demo = await startDemoStack({
    handlers: { worker: containers.handler },
    webhookSecret: randomBytes(24).toString('hex'),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    log,
    onWorkerBatch: (outcome) => {
      workerBatches++;
      failedRecords += outcome.failed.length;
    },
  });
  const sqs = new SQSClient({
    endpoint: demo.stack.sqsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const depth = async (url: string, names: QueueAttributeName[]) => {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
    return names.reduce((sum, name) => sum + Number(out.Attributes?.[name] ?? Number.NaN), 0);
  };
  const queueLeft = () =>
    depth(demo.stack.queueUrl, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ]);
  const activity = () => total(statusCounts(demo.help)) + total(statusCounts(demo.eng)) + deliveries;
  return {
    demo,
    help: demo.help,
    eng: demo.eng,
    queueLeft,
    quiet: async (timeoutMs = 120_000) => {
      const until = performance.now() + timeoutMs;
      while (performance.now() < until) {
        const before = activity();
        await demo.help.webhooks.settle();
        await demo.eng.webhooks.settle();
        if ((await queueLeft()) === 0 && activity() === before) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new BenchCheckFailed(`the pipeline did not settle within ${timeoutMs / 1000} s`);
    },
    newWorkerContainer: containers.recycle,
    checks: async () => ({
      deadLettered: await depth(demo.stack.dlqUrl, [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]),
      failedRecords,
      workerBatches,
      contractViolations: demo.help.contractViolations().length + demo.eng.contractViolations().length,
      warnings: warningCount > warnings.length ? [...warnings, `… ${warningCount} in all`] : warnings,
    }),
    stop: async () => {
      sqs.destroy();
      await demo.stop();
    },
  };
}

/**
 * The real worker handler behind a switch: each generation imports functions/sync-worker/handler.ts under
 * its own URL, so Node evaluates it again with fresh module state, as a new Lambda container would. The
 * import waits for the first batch: the stack sets the environment the handler reads at load.
 */
function workerContainers(): { handler: WorkerHandler; recycle: () => void } {
  let generation = 0;
  let current: Promise<WorkerHandler> | undefined;
  return {
    handler: async (event, context) => {
      current ??= import(new URL(`${WORKER_MODULE}?container=${++generation}`).href).then(
        (m: { handler: WorkerHandler }) => m.handler,
      );
      return (await current)(event, context);
    },
    recycle: () => {
      current = undefined;
    },
  };
}
