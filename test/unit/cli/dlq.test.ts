import { describe, expect, it } from 'vitest';
import { matches, parseFilters, readDeadLetter, redrive } from '../../../shared/cli/dlq.ts';
import type { QueueMessage, QueuePort } from '../../../shared/cli/queue.ts';
import { flowSchema } from '../../../shared/config/flows.ts';

const flows = [
  flowSchema.parse({
    id: 'help-to-eng',
    source: { connection: 'demo-cloud', project: 'HELP' },
    target: { connection: 'demo-dc', project: 'ENG', issueType: 'Bug' },
  }),
];

interface Stored {
  id: string;
  body: string;
  groupId: string;
  attributes: Record<string, string>;
  receipt?: string;
}

/** An in-memory FIFO queue pair: one message per group in flight, as SQS FIFO hands them out. */
function fakeFifo() {
  const queues = new Map<string, Stored[]>([
    ['main', []],
    ['dlq', []],
  ]);
  const sent: { url: string; groupId: string; deduplicationId: string; body: string }[] = [];
  let receipts = 0;
  const list = (url: string) => queues.get(url) as Stored[];
  const port: QueuePort = {
    depth: async (url) => ({
      visible: list(url).filter((m) => !m.receipt).length,
      inFlight: list(url).filter((m) => m.receipt).length,
      delayed: 0,
    }),
    attributes: async () => ({}),
    async receive(url, max) {
      const out: QueueMessage[] = [];
      const busy = new Set(
        list(url)
          .filter((m) => m.receipt)
          .map((m) => m.groupId),
      );
      for (const m of list(url)) {
        if (out.length >= max) break;
        if (m.receipt || busy.has(m.groupId)) continue;
        busy.add(m.groupId);
        m.receipt = `r${++receipts}`;
        out.push({
          messageId: m.id,
          receiptHandle: m.receipt,
          body: m.body,
          groupId: m.groupId,
          sentAt: 1_700_000_000_000,
          receiveCount: 1,
          attributes: m.attributes,
        });
      }
      return out;
    },
    async send(url, message) {
      sent.push({ url, ...message });
      list(url).push({ id: `m${sent.length}`, body: message.body, groupId: message.groupId, attributes: {} });
    },
    enqueue: async () => undefined,
    async delete(url, receipt) {
      const i = list(url).findIndex((m) => m.receipt === receipt);
      if (i < 0) throw new Error('receipt handle is no longer valid');
      list(url).splice(i, 1);
    },
    async release(url, receipt) {
      const m = list(url).find((x) => x.receipt === receipt);
      if (m) delete m.receipt;
    },
  };
  const deadLetter = (id: string, issue: string, code: string, connectionId = 'demo-cloud') =>
    list('dlq').push({
      id,
      groupId: `${connectionId}:${issue}`,
      body: JSON.stringify({
        v: 1,
        connectionId,
        issue: { id: issue, key: `HELP-${issue.slice(-1)}` },
        kind: 'issue_updated',
        webhookId: `w-${id}`,
        retry: 0,
        receivedAt: 1,
      }),
      attributes: {
        errorCode: code,
        errorMessage: `${code} happened`,
        retryable: 'false',
        failedAt: '2026-01-01T00:00:00.000Z',
        receiveCount: '1',
        originalMessageId: `orig-${id}`,
      },
    });
  return { port, sent, list, deadLetter };
}

describe('dead letters', () => {
  it('are read from the worker attributes and the SyncEvent body', () => {
    const q = fakeFifo();
    q.deadLetter('a', '10001', 'JIRA_FORBIDDEN');
    const [stored] = q.list('dlq');
    const letter = readDeadLetter(
      {
        messageId: 'a',
        receiptHandle: 'r',
        body: stored?.body ?? '',
        groupId: 'g',
        sentAt: 5,
        receiveCount: 2,
        attributes: stored?.attributes ?? {},
      },
      { flows },
    );

    expect(letter).toMatchObject({
      id: 'a',
      originalMessageId: 'orig-a',
      errorCode: 'JIRA_FORBIDDEN',
      retryable: false,
      connectionId: 'demo-cloud',
      issueId: '10001',
      issueKey: 'HELP-1',
      flows: ['help-to-eng'],
    });
    expect(
      readDeadLetter(
        {
          messageId: 'b',
          receiptHandle: 'r',
          body: 'garbage',
          groupId: undefined,
          sentAt: undefined,
          receiveCount: undefined,
          attributes: {},
        },
        { flows },
      ).errorCode,
    ).toBe('NOT_A_SYNC_EVENT');
  });

  it('are filtered by code, flow, issue (id, key or connection:id) and connection', () => {
    const q = fakeFifo();
    q.deadLetter('a', '10001', 'JIRA_FORBIDDEN');
    const [stored] = q.list('dlq');
    const letter = readDeadLetter(
      {
        messageId: 'a',
        receiptHandle: 'r',
        body: stored?.body ?? '',
        groupId: 'g',
        sentAt: 5,
        receiveCount: 2,
        attributes: stored?.attributes ?? {},
      },
      { flows },
    );
    const check = (...filters: string[]) => matches(letter, parseFilters(filters, 'dlq list'));

    expect([
      check('code=jira_forbidden'),
      check('flow=help-to-eng'),
      check('issue=HELP-1'),
      check('issue=10001'),
      check('issue=demo-cloud:10001'),
      check('connection=demo-cloud', 'code=JIRA_FORBIDDEN'),
    ]).toEqual([true, true, true, true, true, true]);
    expect([
      check('code=FLOW_MISCONFIGURED'),
      check('flow=other'),
      check('issue=HELP-2'),
      check('code=JIRA_FORBIDDEN', 'connection=demo-dc'),
    ]).toEqual([false, false, false, false]);
    expect(() => parseFilters(['colour=red'], 'dlq list')).toThrow(/--filter takes code=/);
  });
});

describe('redrive', () => {
  it('sends matching messages back with their group and a fresh deduplication id, then deletes them, reaching messages queued behind them', async () => {
    const q = fakeFifo();
    q.deadLetter('a1', '10001', 'JIRA_FORBIDDEN');
    q.deadLetter('a2', '10001', 'JIRA_FORBIDDEN');
    q.deadLetter('b1', '10002', 'JIRA_FORBIDDEN');
    q.deadLetter('c1', '10003', 'FLOW_MISCONFIGURED');

    const result = await redrive(
      { queue: q.port, now: () => 42 },
      { queueUrl: 'main', dlqUrl: 'dlq' },
      { flows },
      parseFilters(['code=JIRA_FORBIDDEN'], 'dlq redrive'),
      { dryRun: false, limit: 100 },
    );

    expect(result.redriven.map((l) => l.id).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(result.skipped).toBe(1);
    expect(q.list('dlq').map((m) => [m.id, m.receipt])).toEqual([['c1', undefined]]);
    expect(q.sent.map((s) => [s.url, s.groupId])).toEqual(
      expect.arrayContaining([
        ['main', 'demo-cloud:10001'],
        ['main', 'demo-cloud:10001'],
        ['main', 'demo-cloud:10002'],
      ]),
    );
    expect(new Set(q.sent.map((s) => s.deduplicationId)).size).toBe(3);
    expect(q.sent.every((s) => /^[0-9a-f]{64}$/.test(s.deduplicationId))).toBe(true);
  });

  it('changes nothing on a dry run and leaves every message visible', async () => {
    const q = fakeFifo();
    q.deadLetter('a1', '10001', 'JIRA_FORBIDDEN');
    q.deadLetter('b1', '10002', 'JIRA_FORBIDDEN');

    const result = await redrive(
      { queue: q.port, now: () => 42 },
      { queueUrl: 'main', dlqUrl: 'dlq' },
      { flows },
      {},
      { dryRun: true, limit: 100 },
    );

    expect(result.redriven).toHaveLength(2);
    expect(q.sent).toEqual([]);
    expect(q.list('dlq').every((m) => m.receipt === undefined)).toBe(true);
  });
});
