import { describe, expect, it } from 'vitest';
import { flowSchema } from '../../../shared/config/flows.ts';
import { sweepFlow, sweepJql } from '../../../shared/sync/sweep.ts';
import { deduplicationId } from '../../../shared/webhook/enqueue.ts';
import type { SyncEvent } from '../../../shared/webhook/sync-event.ts';
import { FakeSite } from '../../helpers/fake-site.ts';

const flow = flowSchema.parse({
  id: 'f',
  source: {
    connection: 'cloud',
    project: 'HELP',
    issueTypes: ['Service Request', 'Incident'],
    jql: 'labels = sync',
  },
  target: { connection: 'dc', project: 'ENG', issueType: 'Bug' },
});

describe('sweep', () => {
  it('builds relative-time JQL per side with an overlap', () => {
    expect(sweepJql(flow, 'source', 10)).toBe(
      'project = "HELP" AND issuetype in ("Service Request", "Incident") AND (labels = sync) AND updated >= -12m ORDER BY updated ASC',
    );
    expect(sweepJql(flow, 'target', 0.5)).toBe('project = "ENG" AND updated >= -3m ORDER BY updated ASC');
    expect(sweepJql(flow, 'target', undefined)).toBe('project = "ENG" ORDER BY updated ASC');
  });

  it('quotes project keys so they cannot change the query', () => {
    const odd = flowSchema.parse({
      ...flow,
      source: { connection: 'cloud', project: 'A" OR project != "B' },
    });
    expect(sweepJql(odd, 'source', undefined)).toBe(
      'project = "A\\" OR project != \\"B" ORDER BY updated ASC',
    );
  });

  it('enqueues a sweep event for every issue on both sides, in chunks', async () => {
    const cloud = new FakeSite('cloud');
    const dc = new FakeSite('dc', { flavor: 'datacenter' });
    for (let i = 0; i < 5; i++) cloud.humanCreate('HELP', { summary: `h${i}` });
    const eng = dc.humanCreate('ENG', { summary: 'e' });
    const sent: SyncEvent[][] = [];
    const total = await sweepFlow(flow, 0, {
      sites: { source: cloud, target: dc },
      enqueue: async (events) => {
        sent.push([...events]);
      },
      now: () => 600_000,
      chunk: 2,
    });
    expect(total).toBe(6);
    expect(sent.map((c) => c.length)).toEqual([2, 2, 1, 1]);
    expect(sent[3]?.[0]).toMatchObject({
      connectionId: 'dc',
      kind: 'sweep',
      webhookId: `sweep:f:${eng.updated}`,
    });
  });

  it("names each event after the issue's state, so SQS drops a later sweep's event for an unchanged issue", async () => {
    const cloud = new FakeSite('cloud');
    const dc = new FakeSite('dc', { flavor: 'datacenter' });
    const help = cloud.humanCreate('HELP', { summary: 'h' });
    const ids = async (at: number) => {
      const sent: SyncEvent[] = [];
      await sweepFlow(flow, 0, {
        sites: { source: cloud, target: dc },
        enqueue: async (events) => {
          sent.push(...events);
        },
        now: () => at,
      });
      return sent.map(deduplicationId);
    };

    const first = await ids(600_000);
    const again = await ids(660_000);
    cloud.humanEdit(help.id, { summary: 'changed' });
    const changed = await ids(720_000);

    expect(again).toEqual(first);
    expect(changed).not.toEqual(first);
  });
});
