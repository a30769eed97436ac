import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../shared/jira/token-bucket.ts';
import { FakeClock } from '../../helpers/jira-client.ts';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces at the rate', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 4, burst: 2 }, clock);

    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([
      0, 0, 250, 500,
    ]);
  });

  it('refills while idle, never above the burst', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3 }, clock);
    for (let i = 0; i < 3; i++) bucket.reserve();

    clock.time += 60_000;

    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0, 100]);
  });

  it('sleeps through the clock for a reserved slot', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 }, clock);

    await bucket.take();
    await bucket.take();

    expect(clock.sleeps).toEqual([1000]);
  });

  it('follows an announced budget below its own, never above, and returns to its own', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 20 }, clock);

    bucket.adopt({ ratePerSecond: 2, burst: 2 });
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 500]);
    bucket.adopt({ ratePerSecond: 50, burst: 100 });
    expect(bucket.current).toEqual({ ratePerSecond: 10, burst: 20 });
    bucket.adopt({ ratePerSecond: 0, burst: 5 });
    expect(bucket.current).toEqual({ ratePerSecond: 10, burst: 20 });
  });

  it('holds no more tokens than the server says remain', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 20 }, clock);

    bucket.adopt({ ratePerSecond: 10, burst: 20, remaining: 1 });

    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 100]);
  });

  it('refuses a rate or burst that could never let a request through', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 }, new FakeClock())).toThrow('ratePerSecond');
  });
});
