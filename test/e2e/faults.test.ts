import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AUTH_SECRETS } from '../../local/demo-secrets.ts';
import { silentLog } from '../../local/local-log.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import type { Site } from '../../simulator/site.ts';
import { DEMO_CONFIG } from '../helpers/configs.ts';
import { waitFor } from '../helpers/wait.ts';

// The sync under Jira's bad days, on the whole local stack: webhooks dropped, duplicated and reordered,
// 429 storms and per-issue write limits, 5xx bursts. After the faults stop and one sweep runs, every
// escalated request has exactly one engineering issue that agrees with it, and nothing is stuck.

const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } as const;
const SECRET = 'faults-webhook-secret';
const REQUESTS = 6;

async function freePort(): Promise<number> {
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

describe('sync under webhook and API faults', () => {
  let stateDir: string;
  let stack: LocalStack;
  let help: Site;
  let eng: Site;
  const saved = Object.fromEntries(Object.keys(QUIET).map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    Object.assign(process.env, QUIET);
    stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-faults-'));
    const [cloudPort, dcPort] = [await freePort(), await freePort()];
    const config = (await readFile(DEMO_CONFIG, 'utf8'))
      .replace('http://127.0.0.1:3101', `http://127.0.0.1:${cloudPort}`)
      .replace('http://127.0.0.1:3102', `http://127.0.0.1:${dcPort}`);
    const configPath = join(stateDir, 'config.yaml');
    await writeFile(configPath, config);
    stack = await startLocalStack({
      configPath,
      port: 0,
      stateDir,
      log: silentLog,
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 20,
      secretsSeed: {
        ifMissing: DEMO_AUTH_SECRETS,
        always: { 'jira-sync/demo-cloud/webhook': SECRET, 'jira-sync/demo-dc/webhook': SECRET },
      },
      simulator: { ephemeralPorts: false, adminPort: 0, demoActivity: false },
    });
    const sites = stack.simulator?.sites ?? [];
    const find = (id: string) => {
      const site = sites.find((s) => s.connectionId === id)?.site;
      if (!site) throw new Error(`no simulated site ${id}`);
      return site;
    };
    help = find('demo-cloud');
    eng = find('demo-dc');
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(stateDir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('converges with exactly one engineering issue per escalated request', async () => {
    help.faults.set({ webhooks: { drop: 0.3, duplicate: 0.5, reorder: { windowMs: 150 } } });
    eng.faults.set({
      webhooks: { drop: 0.3, duplicate: 0.5 },
      rateLimit: { perIssueWrite: true, burst: { capacity: 8, refillPerSecond: 20 } },
      errors: { status: 503, count: 4, retryAfterSeconds: 1 },
    });

    const keys: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const request = help.as('carol').raiseRequest({
        serviceDesk: 'HELP',
        requestType: 'Get IT help',
        summary: `Request ${i}`,
      });
      help.as('alice').reply(request.key, `public reply ${i}`);
      help.as('alice').transition(request.key, 'Escalate');
      help.as('alice').edit(request.key, { summary: `Request ${i} (edited)` });
      keys.push(request.key);
    }
    await help.webhooks.settle();
    await new Promise((r) => setTimeout(r, 1500));
    help.faults.clear();
    eng.faults.clear();
    await help.webhooks.settle();
    await eng.webhooks.settle();
    // Dropped webhooks are what the sweep is for.
    await stack.sweep();

    const engFor = (key: string) =>
      [...eng.state.issues.values()].filter((i) =>
        i.remoteLinks.some((l) => JSON.stringify(l).includes(`"${key} `)),
      );
    const replies = (key: string) =>
      engFor(key).flatMap((i) => i.comments.filter((c) => c.body.includes('public reply')));
    // Failed writes come back through the queue's backoff, so this converges within seconds, not at once.
    await waitFor(
      () =>
        keys.every(
          (k) =>
            engFor(k).length === 1 && engFor(k)[0]?.summary.endsWith('(edited)') && replies(k).length > 0,
        ),
      'every request escalated with its edit and reply',
      60_000,
    );
    expect(eng.state.issues.size).toBe(REQUESTS);
    for (const key of keys) expect(replies(key), key).toHaveLength(1);

    // Engineers answer while the engineering site's webhooks misbehave again.
    eng.faults.set({ webhooks: { drop: 0.4, duplicate: 0.5, reorder: { windowMs: 150 } } });
    for (const issue of eng.state.issues.values())
      eng.as('bob').comment(issue.key, `looking at ${issue.key}`);
    await eng.webhooks.settle();
    eng.faults.clear();
    // Every engineering comment reaches its request once, as an internal note.
    await stack.sweep();
    await waitFor(
      () =>
        [...help.state.issues.values()].every(
          (i) => i.comments.filter((c) => c.body.includes('looking at') && c.internal).length === 1,
        ),
      'engineering notes on every request',
      60_000,
    );

    const sqs = new SQSClient({
      endpoint: stack.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    sqs.destroy();
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    const stats = [help.stats(), eng.stats()];
    // The campaign really injected faults (or this test proves nothing).
    expect(stats.reduce((n, s) => n + s.webhooks.dropped, 0)).toBeGreaterThan(0);
    stack.simulator?.simulator.assertNoContractViolations();
  }, 150_000);
});
