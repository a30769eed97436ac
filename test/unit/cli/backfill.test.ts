import { describe, expect, it } from 'vitest';
import { advance, backfillJql } from '../../../shared/cli/backfill.ts';
import type { BackfillProgress } from '../../../shared/cli/state.ts';
import { flowSchema } from '../../../shared/config/flows.ts';

const flow = flowSchema.parse({
  id: 'f',
  source: { connection: 'cloud', project: 'HELP', issueTypes: ['Incident'], jql: 'status = Escalated' },
  target: { connection: 'dc', project: 'ENG', issueType: 'Bug' },
});

describe('backfillJql', () => {
  it("searches the flow's source scope in creation order, narrowed by --jql and the resume point", () => {
    expect(backfillJql(flow, undefined, undefined)).toBe(
      'project = "HELP" AND issuetype in ("Incident") AND (status = Escalated) ORDER BY created ASC, key ASC',
    );
    expect(backfillJql(flow, ' labels = old ', 1_700_000_000_123)).toBe(
      'project = "HELP" AND issuetype in ("Incident") AND (status = Escalated) AND (labels = old) AND created >= 1700000000123 ORDER BY created ASC, key ASC',
    );
  });
});

describe('advance', () => {
  const start: BackfillProgress = {
    flowId: 'f',
    jql: '',
    startedAt: 1,
    updatedAt: 1,
    tieIds: [],
    enqueued: 0,
    done: false,
  };

  it('remembers the last creation instant and every id sent at exactly that instant', () => {
    const first = advance(
      start,
      [
        { id: '1', created: 100 },
        { id: '2', created: 200 },
        { id: '3', created: 200 },
      ],
      5,
    );
    const second = advance(first, [{ id: '4', created: 200 }], 6);
    const third = advance(second, [{ id: '5', created: 300 }], 7);

    expect(first).toMatchObject({ lastCreated: 200, tieIds: ['2', '3'], enqueued: 3, updatedAt: 5 });
    expect(second).toMatchObject({ lastCreated: 200, tieIds: ['2', '3', '4'], enqueued: 4 });
    expect(third).toMatchObject({ lastCreated: 300, tieIds: ['5'], enqueued: 5 });
  });
});
