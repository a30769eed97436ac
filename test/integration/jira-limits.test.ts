import { createServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JiraClientOptions } from '../../shared/jira/client.ts';
import { createIssue, editIssue, getIssue } from '../../shared/jira/platform/issues.ts';
import { getMyself } from '../../shared/jira/platform/server.ts';
import { systemClock } from '../../shared/jira/token-bucket.ts';
import { FakeClock, testClient, testConnection } from '../helpers/jira-client.ts';
import { CLOUD_CREDENTIALS } from '../helpers/jira-fixture.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.ts';

const SECRET = 'jira-sync/acme/auth';
const me = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'jira-sync' };
const anIssue = (key: string) => ({ id: '10002', key, fields: { summary: 's' } });

let jira: JiraServer;
beforeAll(async () => {
  jira = await startJiraServer();
});
afterEach(() => {
  const violations = [...jira.violations];
  jira.reset();
  expect(violations).toEqual([]);
});
afterAll(() => jira.stop());

/** A fresh client (fresh pacing and pauses) on a fake clock: waiting costs no real time. */
function client(options: JiraClientOptions = {}, baseUrl = jira.url) {
  const connection = testConnection({ flavor: 'cloud', baseUrl, auth: { type: 'basic', secret: SECRET } });
  return testClient(connection, new MemorySecretStore({ [SECRET]: CLOUD_CREDENTIALS }), {
    clock: new FakeClock(),
    ...options,
  });
}

describe('observing calls', () => {
  it('wraps every call once (all its attempts) and reports rate-limit waits', async () => {
    jira.once('GET', '/rest/api/2/myself', { status: 429, headers: { 'retry-after': '2' } });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const observed: string[] = [];
    const waits: number[] = [];
    const { client: c } = client({
      observe: async (call, run) => {
        observed.push(`${call.connectionId} ${call.operation}`);
        return run();
      },
      onRateLimitWait: (_call, ms) => waits.push(ms),
    });
    await getMyself(c);
    expect(observed).toEqual(['acme getMyself']);
    expect(waits).toEqual([2000]);
  });
});

describe('429 and 503', () => {
  it('waits Retry-After seconds, then retries', async () => {
    jira.once('GET', '/rest/api/2/myself', { status: 429, headers: { 'retry-after': '3' } });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const { client: c, clock } = client();

    await expect(getMyself(c)).resolves.toMatchObject(me);
    expect(clock.sleeps).toEqual([3000]);
    expect(jira.requests).toHaveLength(2);
  });

  it('without Retry-After, waits until X-RateLimit-Reset (an ISO-8601 instant)', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T10:00:50Z'));
    jira.once('GET', '/rest/api/2/myself', {
      status: 429,
      headers: { 'x-ratelimit-reset': '2026-03-02T10:01Z' },
    });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const { client: c } = client({ clock });

    await getMyself(c);

    expect(clock.sleeps).toEqual([10_000]);
  });

  it('prefers Retry-After when both headers come', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T10:00:00Z'));
    jira.once('GET', '/rest/api/2/myself', {
      status: 429,
      headers: { 'retry-after': '2', 'x-ratelimit-reset': '2026-03-02T10:00:09Z' },
    });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const { client: c } = client({ clock });

    await getMyself(c);

    expect(clock.sleeps).toEqual([2000]);
  });

  it('with neither header, backs off exponentially with full jitter', async () => {
    jira.once('GET', '/rest/api/2/myself', { status: 429 });
    jira.once('GET', '/rest/api/2/myself', { status: 429 });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const draws = [0.5, 0.25];
    const { client: c, clock } = client({
      random: () => draws.shift() ?? 0,
      backoff: { baseMs: 1000, capMs: 30_000 },
    });

    await getMyself(c);

    // Attempt 0: 0.5 x min(30 s, 1 s); attempt 1: 0.25 x min(30 s, 2 s).
    expect(clock.sleeps).toEqual([500, 500]);
  });

  it('does not sleep through a Retry-After longer than its budget: fails at once, saying when to retry', async () => {
    jira.on('POST', '/rest/api/2/issue', {
      status: 429,
      headers: { 'retry-after': '120', 'ratelimit-reason': 'jira-quota-tenant-based' },
    });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const { client: c, clock } = client({ maxRetryWaitMs: 15_000 });

    const error = await createIssue(c, { fields: { summary: 'x' } }).catch((e: unknown) => e);
    const paused = await getMyself(c).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'JIRA_RATE_LIMITED',
      retryable: true,
      retryAfterMs: 120_000,
      scope: 'connection',
      reason: 'jira-quota-tenant-based',
      status: 429,
    });
    // A quota covers the whole connection: the next call is refused without bothering Jira.
    expect(paused).toMatchObject({ code: 'JIRA_RATE_LIMITED', scope: 'connection', retryAfterMs: 120_000 });
    expect(clock.sleeps).toEqual([]);
    expect(jira.requests).toHaveLength(1);
  });

  it('gives up after its attempts with the last advice', async () => {
    jira.on('GET', '/rest/api/2/myself', { status: 429, headers: { 'retry-after': '1' } });
    const { client: c, clock } = client({ maxAttempts: 3 });

    await expect(getMyself(c)).rejects.toMatchObject({ code: 'JIRA_RATE_LIMITED', retryAfterMs: 1000 });
    expect(jira.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it('treats a 503 with Retry-After like a rate limit, for writes too', async () => {
    jira.once('PUT', '/rest/api/2/issue/ENG-1', { status: 503, headers: { 'retry-after': '4' } });
    jira.on('PUT', '/rest/api/2/issue/ENG-1', { status: 204 });
    const { client: c, clock } = client();

    await editIssue(c, 'ENG-1', { fields: { summary: 'x' } });

    expect(clock.sleeps).toEqual([4000]);
    expect(jira.requests).toHaveLength(2);
  });

  it('backs off on a bare 503 and ends with a retryable server error', async () => {
    jira.on('GET', '/rest/api/2/myself', { status: 503 });
    const { client: c, clock } = client({ maxAttempts: 3 });

    await expect(getMyself(c)).rejects.toMatchObject({
      code: 'JIRA_SERVER_ERROR',
      status: 503,
      retryable: true,
    });
    expect(clock.sleeps).toEqual([250, 500]);
  });
});

describe('what a rate limit pauses', () => {
  const perIssue = {
    status: 429,
    headers: { 'retry-after': '5', 'ratelimit-reason': 'jira-per-issue-on-write' },
  };

  it('jira-per-issue-on-write pauses writes to that issue only', async () => {
    jira.once('PUT', '/rest/api/2/issue/ENG-1', perIssue);
    jira.on('PUT', /^\/rest\/api\/2\/issue\/ENG-\d+$/, { status: 204 });
    jira.on('GET', '/rest/api/2/issue/ENG-1', { status: 200, json: anIssue('ENG-1') });
    const { client: c, clock } = client({ maxRetryWaitMs: 1000 });

    const first = await editIssue(c, 'ENG-1', { fields: { summary: 'a' } }).catch((e: unknown) => e);
    await editIssue(c, 'ENG-2', { fields: { summary: 'b' } });
    await getIssue(c, 'ENG-1');
    const again = await editIssue(c, 'ENG-1', { fields: { summary: 'c' } }).catch((e: unknown) => e);
    clock.time += 5000;
    await editIssue(c, 'ENG-1', { fields: { summary: 'd' } });

    expect(first).toMatchObject({
      code: 'JIRA_RATE_LIMITED',
      scope: 'issue',
      reason: 'jira-per-issue-on-write',
      retryAfterMs: 5000,
    });
    expect(again).toMatchObject({ code: 'JIRA_RATE_LIMITED', scope: 'issue' });
    expect(clock.sleeps).toEqual([]);
    expect(jira.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /rest/api/2/issue/ENG-1',
      'PUT /rest/api/2/issue/ENG-2',
      'GET /rest/api/2/issue/ENG-1',
      'PUT /rest/api/2/issue/ENG-1',
    ]);
  });

  it('waits out a short per-issue pause and then writes', async () => {
    jira.once('PUT', '/rest/api/2/issue/ENG-1', perIssue);
    jira.on('PUT', '/rest/api/2/issue/ENG-1', { status: 204 });
    const { client: c, clock } = client();

    await editIssue(c, 'ENG-1', { fields: { summary: 'a' } });

    expect(clock.sleeps).toEqual([5000]);
  });

  it('jira-burst-based pauses that endpoint only', async () => {
    jira.once('PUT', '/rest/api/2/issue/ENG-1', {
      status: 429,
      headers: { 'retry-after': '5', 'ratelimit-reason': 'jira-burst-based' },
    });
    jira.on('GET', '/rest/api/2/issue/ENG-1', { status: 200, json: anIssue('ENG-1') });
    const { client: c } = client({ maxRetryWaitMs: 1000 });

    await expect(editIssue(c, 'ENG-1', { fields: {} })).rejects.toMatchObject({ scope: 'endpoint' });
    await expect(editIssue(c, 'ENG-2', { fields: {} })).rejects.toMatchObject({ scope: 'endpoint' });
    await expect(getIssue(c, 'ENG-1')).resolves.toMatchObject({ key: 'ENG-1' });
    expect(jira.requests).toHaveLength(2);
  });
});

describe('learning an endpoint budget', () => {
  it('after a jira-burst-based 429, paces that endpoint below the rate it was getting, and no other', async () => {
    jira.once('GET', '/rest/api/2/issue/ENG-5', {
      status: 429,
      headers: { 'retry-after': '1', 'ratelimit-reason': 'jira-burst-based' },
    });
    jira.on('GET', /^\/rest\/api\/2\/issue\/ENG-\d+$/, { status: 200, json: anIssue('ENG-1') });
    jira.on('PUT', /^\/rest\/api\/2\/issue\/ENG-\d+$/, { status: 204 });
    const { client: c, clock } = client({ rate: { ratePerSecond: 10, burst: 20 } });

    for (let i = 1; i <= 5; i++) await getIssue(c, `ENG-${i}`);
    // Five calls in the last two seconds, 70 % kept: 1.75/s, a call every 572 ms after the pause; PUTs unpaced.
    for (let i = 6; i <= 8; i++) await getIssue(c, `ENG-${i}`);
    await editIssue(c, 'ENG-1', { fields: { summary: 'a' } });
    await editIssue(c, 'ENG-2', { fields: { summary: 'b' } });

    // (the rate grows back meanwhile: 0.5 % of a quarter of the connection's 10/s, per second)
    expect(clock.sleeps).toEqual([1000, 572, 567, 564]);
    expect(jira.requests).toHaveLength(11);
  });

  it('fails a call fast, to be retried from the queue, when its slot at the learnt rate lies beyond its wait budget', async () => {
    jira.once('GET', '/rest/api/2/issue/ENG-5', {
      status: 429,
      headers: { 'retry-after': '1', 'ratelimit-reason': 'jira-burst-based' },
    });
    jira.on('GET', /^\/rest\/api\/2\/issue\/ENG-\d+$/, { status: 200, json: anIssue('ENG-1') });
    // The real clock: the four calls must wait side by side.
    const { client: c } = client({
      clock: systemClock,
      rate: { ratePerSecond: 10, burst: 20 },
      maxRetryWaitMs: 1200,
    });
    for (let i = 1; i <= 5; i++) await getIssue(c, `ENG-${i}`);

    // 1.75/s learnt, and the refused call's retry took the first slot: the next are about 0.57 and 1.14 s
    // ahead, within the 1.2 s budget; the third would be 1.71 s ahead, and the fourth gets the slot it gave back.
    const results = await Promise.allSettled(['ENG-6', 'ENG-7', 'ENG-8', 'ENG-9'].map((k) => getIssue(c, k)));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(results[2]).toMatchObject({
      reason: { code: 'JIRA_RATE_LIMITED', scope: 'endpoint', retryable: true },
    });
    expect(jira.requests).toHaveLength(8);
  });

  it('sends no call planned before a 429 during its pause: waiting calls take new slots', async () => {
    const limit = { status: 429, headers: { 'retry-after': '1', 'ratelimit-reason': 'jira-burst-based' } };
    jira.once('GET', '/rest/api/2/issue/ENG-5', limit);
    jira.once('GET', '/rest/api/2/issue/ENG-6', limit);
    jira.on('GET', /^\/rest\/api\/2\/issue\/ENG-\d+$/, { status: 200, json: anIssue('ENG-1') });
    // The real clock: calls must wait for each other.
    const { client: c } = client({ clock: systemClock });
    for (let i = 1; i <= 5; i++) await getIssue(c, `ENG-${i}`);
    const sent: number[] = [];
    const before = jira.requests.length;

    // ENG-6 goes first and is refused; ENG-7 and ENG-8 had slots ~0.6 and ~1.1 s later at the learnt rate.
    await Promise.all(['ENG-6', 'ENG-7', 'ENG-8'].map((key) => getIssue(c, key)));

    const calls = jira.requests.slice(before).map((r) => r.path.split('/').pop());
    const refusedAt = jira.requests[before]?.receivedAt ?? 0;
    for (const r of jira.requests.slice(before + 1)) sent.push(r.receivedAt - refusedAt);
    expect(calls[0]).toBe('ENG-6');
    expect(calls.slice(1).sort()).toEqual(['ENG-6', 'ENG-7', 'ENG-8']);
    // Nothing reached Jira during the second's pause the 429 asked for.
    expect(Math.min(...sent)).toBeGreaterThanOrEqual(990);
  });
});

describe('client-side pacing', () => {
  it('keeps each connection under its rate with a token bucket', async () => {
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const { client: c, clock } = client({ rate: { ratePerSecond: 2, burst: 2 } });

    for (let i = 0; i < 5; i++) await getMyself(c);

    // Two at once (the burst), then one every 500 ms.
    expect(clock.sleeps).toEqual([500, 500, 500]);
    expect(jira.requests).toHaveLength(5);
  });

  it("follows Data Center's announced per-user budget, below its own pace", async () => {
    jira.on('GET', '/rest/api/2/myself', {
      status: 200,
      json: me,
      headers: {
        'x-ratelimit-limit': '2',
        'x-ratelimit-remaining': '1',
        'x-ratelimit-interval-seconds': '2',
        'x-ratelimit-fillrate': '2',
        'retry-after': '0',
      },
    });
    const { client: c, clock } = client({ rate: { ratePerSecond: 10, burst: 10 } });

    for (let i = 0; i < 4; i++) await getMyself(c);

    // After the first answer: 95 % of 1 call/s, and never more tokens than the one Jira says remain (of 9).
    expect(clock.sleeps).toEqual([1053, 1053]);
  });

  it('returns to its own pace once Data Center stops announcing a budget (limit lifted)', async () => {
    const dc = {
      'x-ratelimit-limit': '1',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-interval-seconds': '1',
      'x-ratelimit-fillrate': '1',
      'retry-after': '1',
    };
    jira.once('GET', '/rest/api/2/myself', { status: 200, json: me, headers: dc });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    const { client: c, clock } = client({ rate: { ratePerSecond: 10, burst: 10 } });

    for (let i = 0; i < 6; i++) await getMyself(c);

    // One wait at the announced pace (0 tokens remained), then the configured 10/s again: 100 ms apart.
    expect(clock.sleeps).toEqual([1053, 100, 100, 100, 100]);
  });
});

describe('timeouts and transient failures', () => {
  it('fails a call Jira does not answer in time, as retryable', async () => {
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me, delayMs: 1500 });
    const { client: c } = client({ timeoutMs: 100 });
    const started = Date.now();

    const error = await getMyself(c).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'JIRA_TIMEOUT', retryable: true });
    expect((error as Error).message).toContain('no answer within 100 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries a 502 on a read, never on a create', async () => {
    jira.once('GET', '/rest/api/2/myself', { status: 502 });
    jira.on('GET', '/rest/api/2/myself', { status: 200, json: me });
    jira.on('POST', '/rest/api/2/issue', { status: 502 });
    const { client: c } = client();

    await expect(getMyself(c)).resolves.toMatchObject(me);
    await expect(createIssue(c, { fields: { summary: 'x' } })).rejects.toMatchObject({
      code: 'JIRA_SERVER_ERROR',
      status: 502,
      retryable: true,
    });
    expect(jira.requestsTo('POST', '/rest/api/2/issue')).toHaveLength(1);
  });

  it('retries a dropped connection on a read, never on a create', async () => {
    const sockets: Socket[] = [];
    const dropper = createServer((socket) => {
      sockets.push(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const address = dropper.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const { client: c } = client({ maxAttempts: 3 }, `http://127.0.0.1:${port}`);

      await expect(getMyself(c)).rejects.toMatchObject({ code: 'JIRA_NETWORK', retryable: true });
      const reads = sockets.length;
      await expect(createIssue(c, { fields: { summary: 'x' } })).rejects.toMatchObject({
        code: 'JIRA_NETWORK',
      });

      expect(reads).toBe(3);
      expect(sockets.length - reads).toBe(1);
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });
});
