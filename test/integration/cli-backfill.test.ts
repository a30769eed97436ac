import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillResult } from '../../shared/cli/backfill.ts';
import { sqsQueuePort } from '../../shared/cli/queue.ts';
import { dynamoStatePort } from '../../shared/cli/state.ts';
import {
  type CliStack,
  quietlyEscalated,
  SECRET_VALUES,
  startCliStack,
  watchedQueue,
} from './cli-support.ts';

// A backfill of a few thousand existing service-desk requests through the local stack's real queue and the
// Jira simulator, interrupted twice (Ctrl-C, then Jira failing mid-way) and resumed, under Jira's burst
// rate limit. The worker here only records which issues it was asked to reconcile: the real worker's part
// (copies created, the summary) is covered in cli-recovery.test.ts.

const ISSUES = 3000;

describe('jira-sync backfill of thousands of issues, interrupted and resumed', () => {
  let env: CliStack;
  let keys: string[] = [];
  let stoppedAt = 0;
  const received = new Map<string, number>();

  beforeAll(async () => {
    env = await startCliStack({
      worker: async (event: SQSEvent) => {
        for (const record of event.Records) {
          const id = (JSON.parse(record.body) as { issue: { id: string } }).issue.id;
          received.set(id, (received.get(id) ?? 0) + 1);
        }
        return { batchItemFailures: [] };
      },
    });
    keys = quietlyEscalated(env.help, ISSUES, 'Legacy request');
    // Requests that were never escalated are outside the flow (source JQL: status = Escalated).
    env.help.quietly(() => {
      for (let i = 0; i < 25; i++) {
        env.help
          .as('carol')
          .raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary: `Open ${i}` });
      }
    });
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  const escalatedIds = () =>
    [...env.help.state.issues.values()].filter((i) => keys.includes(i.key)).map((i) => i.id);
  const progress = () => dynamoStatePort(env.stack.stateTable).getBackfill('help-to-eng');

  it('stops on Ctrl-C with its progress saved', async () => {
    const controller = new AbortController();
    const queue = watchedQueue(sqsQueuePort(), (total) => {
      if (total >= 1000) controller.abort();
    });

    const run = await env.cli(['backfill', '--local', '--flow', 'help-to-eng'], {
      queue,
      signal: controller.signal,
    });

    expect(run.code).toBe(130);
    expect(run.stdout).toBe(
      'backfill help-to-eng interrupted after 1000 issues; run the same command to resume',
    );
    expect(await progress()).toMatchObject({ enqueued: 1000, done: false, jql: '' });
  });

  it('refuses to resume with different JQL, naming the way out', async () => {
    const run = await env.cli(['backfill', '--local', '--flow', 'help-to-eng', '--jql', 'assignee IS EMPTY']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'jira-sync backfill: an unfinished backfill of flow help-to-eng used no --jql: run it again with the same JQL to resume, or add --restart',
    );
  });

  it('resumes where it stopped; when Jira fails mid-way it stops with one line and keeps its progress', async () => {
    const queue = watchedQueue(sqsQueuePort(), (total) => {
      // The next search page fails, as a Jira outage would.
      if (total >= 1000) env.help.faults.set({ errors: { status: 500, count: 3, path: '/search' } });
    });

    const run = await env.cli(['backfill', '--local', '--flow', 'help-to-eng'], { queue });

    const stopped = /stopped after (\d+) issues/.exec(run.stderr);
    stoppedAt = Number(stopped?.[1]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^resuming the backfill of help-to-eng: 1000 issues were enqueued before\njira-sync backfill: backfill of help-to-eng stopped after \d+ issues: .* Jira answered 500; progress is saved: run the same command to resume$/,
    );
    expect(stoppedAt).toBeGreaterThanOrEqual(2000);
    expect(await progress()).toMatchObject({ enqueued: stoppedAt, done: false });
    env.help.faults.clear();
  });

  it("finishes under Jira's burst rate limit; every escalated request was enqueued exactly once", async () => {
    env.help.faults.set({ rateLimit: { burst: { capacity: 4, refillPerSecond: 20 } } });
    const rateLimitedBefore = env.help.stats().faults.rateLimited;

    const run = await env.cli(['backfill', '--local', '--flow', 'help-to-eng', '--json']);
    env.help.faults.clear();
    const result = run.json<BackfillResult>();

    expect(run.code).toBe(0);
    expect(result).toMatchObject({
      total: ISSUES,
      enqueued: ISSUES - stoppedAt,
      resumed: true,
      complete: true,
    });
    // Nothing linked here (the recording worker creates nothing): every match is "skipped".
    expect(result.summary).toMatchObject({ matched: ISSUES, created: 0, failed: 0, drained: true });
    // Jira answered 429 along the way, and the client waited instead of failing.
    expect(env.help.stats().faults.rateLimited).toBeGreaterThan(rateLimitedBefore);
    const ids = escalatedIds();
    expect(ids).toHaveLength(ISSUES);
    expect(ids.filter((id) => received.get(id) !== 1)).toEqual([]);
    expect(received.size).toBe(ISSUES);
    expect(await progress()).toMatchObject({ enqueued: ISSUES, done: true });
  }, 60_000);

  it('starts a new backfill once the last one finished; --jql narrows it', async () => {
    const run = await env.cli([
      'backfill',
      '--local',
      '--flow',
      'help-to-eng',
      '--no-wait',
      '--json',
      '--jql',
      `key = ${keys[7]}`,
    ]);

    expect(run.code).toBe(0);
    expect(run.json<BackfillResult>()).toEqual({
      flowId: 'help-to-eng',
      enqueued: 1,
      total: 1,
      resumed: false,
      complete: true,
      interrupted: false,
    });
  });

  it('never printed a secret value', () => {
    const all = env.printed.join('\n');
    for (const secret of SECRET_VALUES) expect(all).not.toContain(secret);
  });
});
