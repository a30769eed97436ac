import { describe, expect, it } from 'vitest';
import { announcedBudget, fullJitterBackoff, readRateLimit } from '../../../shared/jira/rate-limit.ts';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const headers = (h: Record<string, string | undefined>) =>
  new Headers(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined));

describe('readRateLimit', () => {
  it.each([
    { name: 'Retry-After seconds', h: { 'retry-after': '7' }, delay: 7000 },
    { name: 'fractional Retry-After', h: { 'retry-after': '1.5' }, delay: 1500 },
    {
      name: 'Retry-After as an HTTP date',
      h: { 'retry-after': 'Mon, 02 Mar 2026 10:00:30 GMT' },
      delay: 30_000,
    },
    {
      name: 'X-RateLimit-Reset at minute precision',
      h: { 'x-ratelimit-reset': '2026-03-02T10:01Z' },
      delay: 60_000,
    },
    {
      name: 'X-RateLimit-Reset with seconds',
      h: { 'x-ratelimit-reset': '2026-03-02T10:00:05.000Z' },
      delay: 5000,
    },
    { name: 'a reset in the past', h: { 'x-ratelimit-reset': '2026-03-02T09:59Z' }, delay: 0 },
    {
      name: 'Retry-After over X-RateLimit-Reset',
      h: { 'retry-after': '2', 'x-ratelimit-reset': '2026-03-02T10:01Z' },
      delay: 2000,
    },
    {
      name: 'garbage Retry-After, falling back to the reset',
      h: { 'retry-after': 'soon', 'x-ratelimit-reset': '2026-03-02T10:00:03Z' },
      delay: 3000,
    },
    { name: 'no header', h: {}, delay: undefined },
  ])('reads $name', ({ h, delay }) => {
    expect(readRateLimit(headers(h), NOW).delayMs).toBe(delay);
  });

  it.each([
    { reason: 'jira-per-issue-on-write', scope: 'issue' },
    { reason: 'jira-burst-based', scope: 'endpoint' },
    { reason: 'jira-quota-tenant-based', scope: 'connection' },
    { reason: 'jira-quota-global-based', scope: 'connection' },
    { reason: undefined, scope: 'connection' },
  ])('scopes RateLimit-Reason $reason to the $scope', ({ reason, scope }) => {
    const advice = readRateLimit(headers(reason ? { 'ratelimit-reason': reason } : {}), NOW);

    expect(advice).toMatchObject({ scope, reason });
  });
});

describe('announcedBudget', () => {
  it("reads Data Center's per-user budget: limit, fill rate per interval", () => {
    const h = new Headers({
      'x-ratelimit-limit': '20',
      'x-ratelimit-remaining': '7',
      'x-ratelimit-interval-seconds': '2',
      'x-ratelimit-fillrate': '5',
    });
    expect(announcedBudget(h)).toEqual({ ratePerSecond: 2.5 * 0.95, burst: 20, remaining: 7 });
  });

  it.each([
    [{}],
    [{ 'x-ratelimit-limit': '20', 'x-ratelimit-fillrate': '5' }],
    [{ 'x-ratelimit-limit': '20', 'x-ratelimit-fillrate': 'many', 'x-ratelimit-interval-seconds': '1' }],
    [{ 'x-ratelimit-limit': '20', 'x-ratelimit-fillrate': '0', 'x-ratelimit-interval-seconds': '1' }],
  ])('ignores absent or malformed headers %o', (h) => {
    expect(announcedBudget(new Headers(h))).toBeUndefined();
  });
});

describe('fullJitterBackoff', () => {
  const options = { baseMs: 500, capMs: 8000 };

  it('draws below a ceiling that doubles per attempt, up to the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 10].map((attempt) =>
      fullJitterBackoff(attempt, options, () => 0.999_999),
    );

    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 7999, 7999]);
  });

  it('can draw zero (full jitter, not equal jitter)', () => {
    expect(fullJitterBackoff(3, options, () => 0)).toBe(0);
  });
});
