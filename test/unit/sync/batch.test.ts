import { describe, expect, it } from 'vitest';
import { LinkBusy, StateUnavailable } from '../../../shared/state/errors.ts';
import {
  backoffSeconds,
  type FailureInfo,
  processBatch,
  type QueueRecord,
} from '../../../shared/sync/batch.ts';
import { FlowMisconfigured } from '../../../shared/sync/errors.ts';
import type { SyncEvent } from '../../../shared/webhook/sync-event.ts';

const event = (issueId: string, webhookId: string): SyncEvent => ({
  v: 1,
  connectionId: 'cloud',
  issue: { id: issueId },
  kind: 'issue_updated',
  webhookId,
  retry: 0,
  receivedAt: 1,
});

let n = 0;
const record = (body: unknown, receiveCount = 1): QueueRecord => ({
  messageId: `m${n++}`,
  receiptHandle: `r${n}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  receiveCount,
  groupId: 'g',
  deduplicationId: 'd',
});

function deps(reconcile: (e: SyncEvent) => Promise<void>) {
  const dead: { record: QueueRecord; failure: FailureInfo }[] = [];
  const delayed: { record: QueueRecord; seconds: number }[] = [];
  return {
    dead,
    delayed,
    deps: {
      reconcile,
      deadLetter: async (r: QueueRecord, failure: FailureInfo) => {
        dead.push({ record: r, failure });
      },
      retryLater: async (r: QueueRecord, seconds: number) => {
        delayed.push({ record: r, seconds });
      },
      maxReceiveCount: 5,
      random: () => 0.5,
    },
  };
}

describe('processBatch', () => {
  it('reconciles each issue once per batch with its latest event', async () => {
    const seen: string[] = [];
    const { deps: d } = deps(async (e) => {
      seen.push(`${e.issue.id}:${e.webhookId}`);
    });
    const failed = await processBatch(
      [record(event('1', 'a')), record(event('2', 'b')), record(event('1', 'c'))],
      d,
    );
    expect(failed).toEqual([]);
    expect(seen.sort()).toEqual(['1:c', '2:b']);
  });

  it('sends a record that is not a SyncEvent to the DLQ at once, with the reason', async () => {
    const { deps: d, dead } = deps(async () => {});
    const bad = record('{"hello":1}');
    expect(await processBatch([bad], d)).toEqual([]);
    expect(dead).toEqual([
      { record: bad, failure: expect.objectContaining({ code: 'INVALID_SYNC_RECORD', retryable: false }) },
    ]);
  });

  it('retries a retryable failure with backoff, failing the whole issue group only', async () => {
    const { deps: d, delayed } = deps(async (e) => {
      if (e.issue.id === '1') throw new StateUnavailable('state table down');
    });
    const a = record(event('1', 'a'), 2);
    const b = record(event('1', 'b'), 2);
    const other = record(event('2', 'x'));
    expect(await processBatch([a, other, b], d)).toEqual([a.messageId, b.messageId]);
    expect(delayed.map((x) => x.seconds)).toEqual([5, 5]);
  });

  it('retries a busy link soon: its holder is working on the pair right now', async () => {
    const { deps: d, delayed } = deps(async () => {
      throw new LinkBusy('busy');
    });
    await processBatch([record(event('1', 'a'), 3)], d);
    expect(delayed.map((x) => x.seconds)).toEqual([2]);
  });

  it('dead-letters a permanent failure with its reason instead of retrying it', async () => {
    const { deps: d, dead } = deps(async () => {
      throw new FlowMisconfigured('flow f: no field "Impact" on dc (target)');
    });
    const r = record(event('1', 'a'));
    expect(await processBatch([r], d)).toEqual([]);
    expect(dead[0]?.failure).toEqual({
      code: 'FLOW_MISCONFIGURED',
      message: 'flow f: no field "Impact" on dc (target)',
      retryable: false,
    });
  });

  it('dead-letters a retryable failure on its last receive, with the last error', async () => {
    const { deps: d, dead } = deps(async () => {
      throw new LinkBusy('still busy');
    });
    const r = record(event('1', 'a'), 5);
    expect(await processBatch([r], d)).toEqual([]);
    expect(dead[0]?.failure.code).toBe('LINK_BUSY');
  });

  it('keeps a record in the queue when even the DLQ is unavailable', async () => {
    const { deps: d } = deps(async () => {});
    const r = record('not json');
    const failed = await processBatch([r], {
      ...d,
      deadLetter: async () => Promise.reject(new Error('SQS down')),
    });
    expect(failed).toEqual([r.messageId]);
  });

  it('backs off exponentially with jitter, honouring Retry-After', () => {
    expect(backoffSeconds(1, () => 1)).toBe(5);
    expect(backoffSeconds(4, () => 1)).toBe(40);
    expect(backoffSeconds(20, () => 1)).toBe(120);
    expect(backoffSeconds(20, () => 1, undefined, 10)).toBe(10);
    expect(backoffSeconds(2, () => 1, 3_600_000)).toBe(900);
    expect(backoffSeconds(1, () => 0)).toBe(1);
    expect(backoffSeconds(3, () => 0.5, 12_300)).toBe(13);
  });
});
