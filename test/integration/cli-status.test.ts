import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsQueuePort } from '../../shared/cli/queue.ts';
import type { StatusReport } from '../../shared/cli/status.ts';
import { waitFor } from '../helpers/wait.ts';
import { type CliStack, SECRET_VALUES, startCliStack } from './cli-support.ts';

// `status --local` reads the oldest message age from fauxqs. The worker is a gate that holds every batch it
// receives, so messages stay in the queue (in flight, not deleted) for as long as the test wants; the age
// must then be at least the time waited, and nothing may have been received or hidden to measure it.

describe('jira-sync status: oldest message age on the local stack', () => {
  let env: CliStack;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const received: string[] = [];

  beforeAll(async () => {
    env = await startCliStack({
      // Longer than the test holds the messages: they stay in flight with the gated worker.
      visibilityTimeoutSeconds: 60,
      worker: async (event) => {
        received.push(...event.Records.map((r) => r.messageId));
        await gate;
        return undefined;
      },
    });
  });

  afterAll(async () => {
    open();
    await env?.stop();
  });

  const report = async () => {
    const run = await env.cli(['status', '--local', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return run.json<StatusReport>();
  };

  it('has no age while the queue is empty', async () => {
    const status = await report();
    const text = await env.cli(['status', '--local']);

    expect(status.queue).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
    expect(status.queue.oldestMessage).toEqual({ ageSeconds: null, source: 'fauxqs', reason: 'empty' });
    expect(text.stdout).toContain('0 waiting, 0 in flight, 0 delayed, oldest: none (no messages)');
  });

  it('reports an age of at least the time the messages have waited, without receiving them', async () => {
    const queue = sqsQueuePort();
    for (const group of ['issue-1', 'issue-2']) {
      await queue.send(env.stack.queueUrl, {
        body: JSON.stringify({ kind: 'test', group }),
        groupId: group,
        deduplicationId: `status-test-${group}`,
      });
    }
    const sentBy = Date.now();
    await waitFor(() => received.length >= 2, 'the worker to hold both messages');
    await new Promise((r) => setTimeout(r, 2_200));

    const askedAt = Date.now();
    const status = await report();
    const text = await env.cli(['status', '--local']);

    expect(status.queue.visible + status.queue.inFlight).toBe(2);
    const oldest = status.queue.oldestMessage;
    expect(oldest).toMatchObject({ source: 'fauxqs', ageSeconds: expect.any(Number) });
    const age = 'ageSeconds' in oldest ? oldest.ageSeconds : null;
    expect(age).toBeGreaterThanOrEqual(Math.floor((askedAt - sentBy) / 1000));
    expect(age).toBeGreaterThanOrEqual(2);
    expect(age).toBeLessThan(60);
    expect(text.stdout).toMatch(/queue {9}\d+ waiting, \d+ in flight, 0 delayed, oldest \d+ s\n/);
    // Measuring received nothing: each message was received once, by the worker.
    const inspection = (await (
      await fetch(`${env.stack.sqsEndpoint}/_fauxqs/queues/jira-sync-events.fifo`)
    ).json()) as { messages: { inflight: { message: { approximateReceiveCount: number } }[] } };
    expect(inspection.messages.inflight.map((i) => i.message.approximateReceiveCount)).toEqual([1, 1]);
    expect(received).toHaveLength(2);
  });

  it('has no age again once the worker has finished the messages', async () => {
    open();
    // Depth and age are two reads (GetQueueAttributes, the inspection) that may straddle a delete.
    const drained = (s: StatusReport) =>
      s.queue.visible + s.queue.inFlight === 0 && 'reason' in s.queue.oldestMessage;
    let status = await report();
    const deadline = Date.now() + 10_000;
    while (!drained(status)) {
      if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(status.queue)}`);
      await new Promise((r) => setTimeout(r, 100));
      status = await report();
    }

    expect(status.queue.oldestMessage).toEqual({ ageSeconds: null, source: 'fauxqs', reason: 'empty' });
    expect(received).toHaveLength(2);
  });

  it('never printed a secret value', () => {
    const all = env.printed.join('\n');
    for (const secret of SECRET_VALUES) expect(all).not.toContain(secret);
  });
});
