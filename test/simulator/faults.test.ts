import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../simulator/clock.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { Site } from '../../simulator/site.ts';
import { client, q, type Receiver, startReceiver, startTwoSites } from './helpers.ts';

/** Every fault mode, switched at run time, on a manual clock. */
describe('faults', () => {
  let sim: Simulator;
  let cloud: Site;
  let dc: Site;
  let clock: ManualClock;
  let receiver: Receiver;

  beforeEach(async () => {
    ({ sim, cloud, dc, clock } = await startTwoSites());
    receiver = await startReceiver();
  });
  afterEach(async () => {
    sim.assertNoContractViolations();
    await sim.stop();
    await receiver.stop();
  });

  describe('lost write responses', () => {
    it('applies the write but drops the connection before answering, then answers again', async () => {
      const issue = cloud.as('bob').createIssue({ project: 'ENG', summary: 'before' });
      cloud.faults.set({ lostWriteResponses: { next: 1 } });
      const api = client(cloud);
      const lost = await api('PUT', `/rest/api/2/issue/${issue.key}`, { fields: { summary: 'after' } }).catch(
        (error: unknown) => error,
      );
      expect(lost).toBeInstanceOf(Error);
      expect([...cloud.state.issues.values()].find((i) => i.key === issue.key)?.summary).toBe('after');
      const read = await api('GET', `/rest/api/2/issue/${issue.key}`);
      expect(read.status).toBe(200);
      expect(cloud.stats().faults.writeResponsesLost).toBe(1);
    });
  });

  describe('rate limits', () => {
    it('answers a burst over the per-endpoint budget with 429 and Jira headers, then recovers', async () => {
      cloud.faults.set({ rateLimit: { burst: { capacity: 2, refillPerSecond: 1 } } });
      const api = client(cloud);

      const answers = [
        await api('GET', '/rest/api/2/myself'),
        await api('GET', '/rest/api/2/myself'),
        await api('GET', '/rest/api/2/myself'),
      ];
      const other = await api('GET', '/rest/api/2/serverInfo');
      await clock.advance(1000);
      const later = await api('GET', '/rest/api/2/myself');

      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(answers[2]?.headers.get('retry-after')).toBe('1');
      expect(answers[2]?.headers.get('ratelimit-reason')).toBe('jira-burst-based');
      expect(answers[2]?.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
      expect(other.status).toBe(200);
      expect(later.status).toBe(200);
      expect(cloud.stats().faults.rateLimited).toBe(1);
    });

    it('limits each Data Center user as an admin would: announced on every answer, refilled per interval', async () => {
      dc.faults.set({ rateLimit: { user: { capacity: 2, fillRate: 1, intervalSeconds: 2 } } });
      const syncApi = client(dc);
      const bob = client(dc, 'bob');

      const answers = [
        await syncApi('GET', '/rest/api/2/myself'),
        await syncApi('GET', '/rest/api/2/myself'),
        await syncApi('GET', '/rest/api/2/serverInfo'),
      ];
      const someoneElse = await bob('GET', '/rest/api/2/myself');
      await clock.advance(1999);
      const tooEarly = await syncApi('GET', '/rest/api/2/myself');
      await clock.advance(1);
      const refilled = await syncApi('GET', '/rest/api/2/myself');

      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(
        Object.fromEntries(
          ['limit', 'remaining', 'interval-seconds', 'fillrate'].map((h) => [
            h,
            answers[0]?.headers.get(`x-ratelimit-${h}`),
          ]),
        ),
      ).toEqual({
        limit: '2',
        remaining: '1',
        'interval-seconds': '2',
        fillrate: '1',
      });
      expect(answers[0]?.headers.get('retry-after')).toBe('0');
      expect(answers[2]?.headers.get('retry-after')).toBe('2');
      expect(answers[2]?.headers.get('ratelimit-reason')).toBeNull();
      expect(someoneElse.status).toBe(200);
      expect(tooEarly.status).toBe(429);
      expect(refilled.status).toBe(200);
      expect(refilled.headers.get('x-ratelimit-remaining')).toBe('0');
    });

    it('limits writes per issue to 20 in 2 s and 100 in 30 s', async () => {
      cloud.faults.set({ rateLimit: { perIssueWrite: true } });
      const api = client(cloud);
      const a = cloud.as('alice').createIssue({ project: 'ENG', summary: 'hot issue' });
      const b = cloud.as('alice').createIssue({ project: 'ENG', summary: 'other issue' });
      const edit = (key: string, n: number) =>
        api('PUT', `/rest/api/2/issue/${key}`, { fields: { summary: `edit ${n}` } });

      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await edit(a.key, i)).status);
      const limited = await edit(a.key, 99);
      const elsewhere = await edit(b.key, 1);
      const read = await api('GET', `/rest/api/2/issue/${a.key}`);

      expect(statuses.slice(0, 20).every((s) => s === 204)).toBe(true);
      expect(statuses[20]).toBe(429);
      expect(limited.headers.get('ratelimit-reason')).toBe('jira-per-issue-on-write');
      expect(elsewhere.status).toBe(204);
      expect(read.status).toBe(200);

      for (let round = 0; round < 4; round++) {
        await clock.advance(2000);
        for (let i = 0; i < 20; i++) await edit(a.key, i);
      }
      await clock.advance(2000);
      const overThirtySeconds = await edit(a.key, 0);
      expect(overThirtySeconds.status).toBe(429);
      await clock.advance(30_000);
      expect((await edit(a.key, 0)).status).toBe(204);
    });
  });

  it('injects a 5xx burst with Retry-After on matching requests only', async () => {
    dc.faults.set({ errors: { status: 503, count: 2, retryAfterSeconds: 3, path: '/search' } });
    const api = client(dc);

    const myself = await api('GET', '/rest/api/2/myself');
    const first = await api('GET', `/rest/api/2/search?jql=${q('project = ENG')}`);
    const second = await api('GET', `/rest/api/2/search?jql=${q('project = ENG')}`);
    const third = await api('GET', `/rest/api/2/search?jql=${q('project = ENG')}`);

    expect([myself.status, first.status, second.status, third.status]).toEqual([200, 503, 503, 200]);
    expect(first.headers.get('retry-after')).toBe('3');
  });

  it('delays answers by the configured latency on the site clock', async () => {
    cloud.faults.set({ latency: { ms: 5000 } });
    let settled = false;
    const pending = client(cloud)('GET', '/rest/api/2/myself').then((a) => {
      settled = true;
      return a;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);

    await clock.advance(5000);

    expect((await pending).status).toBe(200);
  });

  describe('webhook deliveries', () => {
    beforeEach(() => {
      cloud.webhooks.registerAdmin({ name: 'sync', url: receiver.url, events: ['jira:issue_created'] });
    });
    const summaries = () =>
      receiver.requests.map((r) => (r.json().issue as { fields: { summary: string } }).fields.summary);

    it('drops deliveries', async () => {
      cloud.faults.set({ webhooks: { drop: { next: 1 } } });
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'lost' });
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'kept' });
      await sim.settle();

      expect(summaries()).toEqual(['kept']);
      expect(cloud.webhooks.deliveries()).toContainEqual(expect.objectContaining({ dropped: true }));
    });

    it('duplicates deliveries with the same identifier', async () => {
      cloud.faults.set({ webhooks: { duplicate: 1 } });
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'twice' });
      await sim.settle();

      const [a, b] = receiver.requests;
      expect(summaries()).toEqual(['twice', 'twice']);
      expect(a?.headers['x-atlassian-webhook-identifier']).toBe(b?.headers['x-atlassian-webhook-identifier']);
    });

    it('reorders deliveries within a window, reproducibly from the seed', async () => {
      cloud.faults.set({ webhooks: { reorder: { windowMs: 1000 } } });
      const sent = ['one', 'two', 'three', 'four', 'five'];
      for (const s of sent) cloud.as('alice').createIssue({ project: 'ENG', summary: s });
      await sim.settle();
      expect(receiver.requests).toEqual([]);

      await clock.advance(1000);
      await sim.settle();

      expect([...summaries()].sort()).toEqual([...sent].sort());
      expect(summaries()).not.toEqual(sent);
    });

    it('delivers late (minutes after the change)', async () => {
      cloud.faults.set({ webhooks: { late: { delayMs: 10 * 60_000 } } });
      cloud.as('alice').createIssue({ project: 'ENG', summary: 'late' });
      await sim.settle();
      await clock.advance(9 * 60_000);
      expect(receiver.requests).toEqual([]);

      await clock.advance(60_000);
      await sim.settle();

      expect(summaries()).toEqual(['late']);
      expect(receiver.requests[0]?.json().timestamp).toBe(clock.now() - 10 * 60_000);
    });
  });

  it('keeps a new issue out of search results while the index lags', async () => {
    cloud.faults.set({ searchIndexLagMs: 60_000 });
    const issue = cloud.as('alice').createIssue({ project: 'ENG', summary: 'fresh' });
    const search = () => client(cloud)('GET', `/rest/api/2/search/jql?jql=${q('project = ENG')}`);

    const before = await search();
    const direct = await client(cloud)('GET', `/rest/api/2/issue/${issue.key}`);
    await clock.advance(60_000);
    const after = await search();

    expect(before.json.issues).toEqual([]);
    expect(direct.status).toBe(200);
    expect(after.json.issues).toEqual([{ id: issue.id }]);
  });

  it('switches faults off again', async () => {
    cloud.faults.set({ errors: { status: 500, count: 100 } });
    cloud.faults.clear();

    expect((await client(cloud)('GET', '/rest/api/2/myself')).status).toBe(200);
    expect(cloud.faults.current()).toEqual({});
  });
});
