import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoStack, startDemoStack } from '../../local/demo-stack.ts';
import type { LocalStack } from '../../local/stack.ts';
import type { Site } from '../../simulator/site.ts';
import { waitFor } from '../helpers/wait.ts';

// The sync under Jira's bad days, on the whole local stack: webhooks dropped, duplicated and reordered,
// 429 storms and per-issue write limits, 5xx bursts. After the faults stop and one sweep runs, every
// escalated request has exactly one engineering issue that agrees with it, and nothing is stuck.

const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } as const;
const SECRET = 'faults-webhook-secret';
const REQUESTS = 6;

describe('sync under webhook and API faults', () => {
  let demo: DemoStack;
  let stack: LocalStack;
  let help: Site;
  let eng: Site;
  const saved = Object.fromEntries(Object.keys(QUIET).map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    Object.assign(process.env, QUIET);
    demo = await startDemoStack({ webhookSecret: SECRET, visibilityTimeoutSeconds: 1, maxReceiveCount: 20 });
    ({ stack, help, eng } = demo);
  });

  afterAll(async () => {
    await demo?.stop();
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
