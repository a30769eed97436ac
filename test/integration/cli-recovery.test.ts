import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillResult } from '../../shared/cli/backfill.ts';
import type { DeadLetter } from '../../shared/cli/dlq.ts';
import { sqsQueuePort } from '../../shared/cli/queue.ts';
import type { StatusReport } from '../../shared/cli/status.ts';
import { LinkStore } from '../../shared/state/link-store.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  type CliStack,
  projectGrants,
  quietlyEscalated,
  SECRET_VALUES,
  startCliStack,
} from './cli-support.ts';

// Recovery on the whole local stack: the integration account loses CREATE_ISSUES on ENG, escalations
// dead-letter; `dlq list/show` and `status` say what and why; after the permission is back, `dlq redrive`
// heals them. Then `backfill` brings requests that predate jira-sync over and summarises what happened.

describe('jira-sync dlq, status and backfill on the local stack', () => {
  let env: CliStack;
  const escalated: string[] = [];
  const engIssues = () => [...env.eng.state.issues.values()];

  beforeAll(async () => {
    env = await startCliStack({ visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
  });

  afterAll(async () => {
    await env?.stop();
  });

  const dlqDepth = async () => {
    const d = await sqsQueuePort().depth(env.stack.dlqUrl);
    return d.visible + d.inFlight;
  };

  it('lists what is stuck and why', async () => {
    const grants = projectGrants(env.eng, 'ENG', 'jira-sync');
    grants.delete('CREATE_ISSUES');
    for (let i = 0; i < 3; i++) {
      const request = env.help.as('carol').raiseRequest({
        serviceDesk: 'HELP',
        requestType: 'Get IT help',
        summary: `Printer ${i} on fire`,
      });
      env.help.as('alice').transition(request.key, 'Escalate');
      escalated.push(request.key);
    }
    await env.help.webhooks.settle();
    const letters = async () =>
      (await env.cli(['dlq', 'list', '--local', '--json'])).json<{ messages: DeadLetter[] }>().messages;
    const deadline = Date.now() + 20_000;
    while (new Set((await letters()).map((l) => l.issueKey ?? l.issueId)).size < 3) {
      if (Date.now() > deadline) throw new Error('timed out waiting for three dead-lettered requests');
      await new Promise((r) => setTimeout(r, 200));
    }

    const list = await env.cli(['dlq', 'list', '--local']);
    const messages = await letters();

    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\d+ dead-lettered messages?( \(of about \d+\))?: \d+ JIRA_FORBIDDEN/);
    expect(list.stdout).toContain("jira-sync's account lacks CREATE_ISSUES in project ENG");
    expect(messages[0]).toMatchObject({
      errorCode: 'JIRA_FORBIDDEN',
      retryable: false,
      connectionId: 'demo-cloud',
      flows: ['help-to-eng'],
    });
    expect(engIssues()).toHaveLength(0);
  });

  it('shows one message in full and reports the failures per flow in status', async () => {
    const [first] = (await env.cli(['dlq', 'list', '--local', '--json'])).json<{ messages: DeadLetter[] }>()
      .messages;
    if (!first) throw new Error('no dead letter');
    const show = await env.cli(['dlq', 'show', first.id, '--local']);
    const status = await env.cli(['status', '--local', '--json']);
    const report = status.json<StatusReport>();

    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/error code {3}JIRA_FORBIDDEN/);
    expect(show.stdout).toContain(`"connectionId":"demo-cloud"`);
    expect(report.deadLetterQueue.total).toBeGreaterThanOrEqual(3);
    expect(report.flows[0]?.deadLetters.JIRA_FORBIDDEN).toBeGreaterThanOrEqual(3);
  });

  it('changes nothing on a dry run or when the filter matches nothing', async () => {
    const before = await dlqDepth();
    const dry = await env.cli(['dlq', 'redrive', '--local', '--dry-run']);
    const none = await env.cli(['dlq', 'redrive', '--local', '--filter', 'code=JIRA_UNAUTHORIZED']);

    expect(dry.stdout).toMatch(/\n3 would redrive \(dry run: nothing changed\)/);
    expect(none.stdout).toMatch(/^0 redriven, 3 not matching the filter left in the DLQ/);
    expect(await dlqDepth()).toBe(before);
  });

  it('redrives after the fix, and the messages heal: one engineering issue per request, an empty DLQ', async () => {
    projectGrants(env.eng, 'ENG', 'jira-sync').add('CREATE_ISSUES');

    const run = await env.cli([
      'dlq',
      'redrive',
      '--local',
      '--filter',
      'code=JIRA_FORBIDDEN',
      '--filter',
      'flow=help-to-eng',
    ]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\d+ redriven$/);
    await waitFor(() => engIssues().length === 3, 'three ENG issues', 30_000);
    await waitFor(() => engIssues().every((i) => i.summary.startsWith('Printer')), 'the summaries');
    expect(await dlqDepth()).toBe(0);
  });

  it('backfills requests that predate jira-sync and summarises: created, already linked, failed', async () => {
    const old = quietlyEscalated(env.help, 4, 'Old request');
    // A conflict record for status to show.
    await new LinkStore({ tableName: env.stack.stateTable }).recordConflict({
      flowId: 'help-to-eng',
      sourceIssueId: '10001',
      targetIssueId: '20001',
      field: 'summary',
      policy: 'newest-wins',
      winner: 'target',
      sourceValue: 'a',
      targetValue: 'b',
    });

    const run = await env.cli(['backfill', '--local', '--flow', 'help-to-eng', '--json']);
    const result = run.json<BackfillResult>();

    expect(run.code).toBe(0);
    expect(result).toMatchObject({ total: 7, complete: true, resumed: false });
    expect(result.summary).toEqual({
      matched: 7,
      created: 4,
      linked: 3,
      skipped: 0,
      failed: 0,
      drained: true,
    });
    expect(engIssues()).toHaveLength(7);
    expect(engIssues().filter((i) => i.summary.startsWith('Old request'))).toHaveLength(old.length);

    const status = await env.cli(['status', '--local']);
    expect(status.stdout).toMatch(
      /conflicts {5}1 in 24 h \(latest .*: summary on 10001 ⇄ 20001, target won by newest-wins\)/,
    );
    expect(status.stdout).toMatch(/backfill {6}7 enqueued, finished/);
  });

  it('counts issues that fail during a backfill as failed and exits 1', async () => {
    projectGrants(env.eng, 'ENG', 'jira-sync').delete('CREATE_ISSUES');
    try {
      quietlyEscalated(env.help, 2, 'Doomed request');
      const run = await env.cli(['backfill', '--local', '--flow', 'help-to-eng']);

      expect(run.code).toBe(1);
      expect(run.stdout).toContain('backfill help-to-eng: 9 issues enqueued');
      expect(run.stdout).toMatch(
        /9 issues match → 0 created, 7 already linked, 0 skipped \(out of scope\), 2 failed/,
      );
      expect(run.stdout).toContain('see why: jira-sync dlq list --filter flow=help-to-eng');
    } finally {
      projectGrants(env.eng, 'ENG', 'jira-sync').add('CREATE_ISSUES');
    }
  });

  it('never printed a secret value', () => {
    const all = env.printed.join('\n');
    for (const secret of SECRET_VALUES) expect(all).not.toContain(secret);
  });
});
