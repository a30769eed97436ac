import { describe, expect, it } from 'vitest';
import { EndpointPacer } from '../../../shared/jira/endpoint-pacer.ts';
import { FakeClock } from '../../helpers/jira-client.ts';

/** Sends `count` calls to `endpoint` evenly over one second, as a busy connection would. */
function sendOverASecond(pacer: EndpointPacer, clock: FakeClock, endpoint: string, count: number): void {
  for (let i = 0; i < count; i++) {
    clock.time += 1000 / count;
    expect(pacer.reserve(endpoint)).toBe(0);
  }
}

describe('EndpointPacer', () => {
  it('does not pace an endpoint Jira never limited', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 10 }, clock);

    const waits = Array.from({ length: 50 }, () => pacer.reserve('getIssue'));

    expect(waits.every((w) => w === 0)).toBe(true);
    expect(pacer.rate('getIssue')).toBeUndefined();
  });

  it('after a burst-limit 429, paces that endpoint below the rate it was getting, from the end of the pause', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 10 }, clock);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    sendOverASecond(pacer, clock, 'getIssue', 4);

    pacer.limited('getIssue', clock.time + 1000);

    // 4/s observed over the last two seconds, kept at 70 %: one call every 357 ms once the pause ends.
    expect(pacer.rate('getIssue')).toBeCloseTo(2.8);
    expect([pacer.reserve('getIssue'), pacer.reserve('getIssue'), pacer.reserve('getIssue')]).toEqual([
      1000, 1358, 1715,
    ]);
    expect(pacer.reserve('editIssue')).toBe(0);
  });

  it('counts the 429s of calls already on their way once, then decreases again on a later one', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 10 }, clock);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    sendOverASecond(pacer, clock, 'getIssue', 4);

    pacer.limited('getIssue', clock.time + 1000);
    pacer.limited('getIssue', clock.time + 1000);
    expect(pacer.rate('getIssue')).toBeCloseTo(2.8);
    expect(pacer.epoch('getIssue')).toBe(1);

    clock.time += 1000;
    for (let i = 0; i < 3; i++) {
      clock.time += 400;
      pacer.reserve('getIssue');
    }
    pacer.limited('getIssue', clock.time + 1000);

    expect(pacer.rate('getIssue')).toBeLessThan(2.8 * 0.9);
    expect(pacer.epoch('getIssue')).toBe(2);
  });

  it('keeps its rate when a 429 comes while it sends too few calls to be the cause (held back by a pause)', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 10 }, clock);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    pacer.limited('getIssue', clock.time + 1000);
    clock.time += 5000;
    pacer.reserve('getIssue');
    const rate = pacer.rate('getIssue');

    pacer.limited('getIssue', clock.time + 1000);

    expect(pacer.rate('getIssue')).toBe(rate);
    expect(pacer.epoch('getIssue')).toBe(1);
  });

  it('grows the rate back while Jira stops limiting, and stops pacing at the connection rate', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 5, increasePerSecond: 0.1 }, clock);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    pacer.limited('getIssue', clock.time);

    clock.time += 2000;
    expect(pacer.rate('getIssue')).toBeCloseTo(2.8 * 1.2);
    clock.time += 8000;
    expect(pacer.reserve('getIssue')).toBe(0);
    expect(pacer.rate('getIssue')).toBeUndefined();
  });

  it('climbs back fast to a rate that held, after a run of 429s that were not about its pace', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 10 }, clock);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    sendOverASecond(pacer, clock, 'getIssue', 4);
    pacer.limited('getIssue', clock.time); // 2.8/s, which then holds for 20 s
    for (let i = 0; i < 20; i++) sendOverASecond(pacer, clock, 'getIssue', 2);
    const good = pacer.rate('getIssue') ?? 0;
    for (let i = 0; i < 4; i++) {
      clock.time += 500;
      for (let j = 0; j < 3; j++) pacer.reserve('getIssue');
      pacer.limited('getIssue', clock.time);
    }
    const low = pacer.rate('getIssue') ?? 0;

    clock.time += 15_000;

    expect(low).toBeLessThan(good * 0.5);
    // A tenth more per second below the good rate: back above it in 15 s, where 0.5 %/s would take minutes.
    expect(pacer.rate('getIssue')).toBeGreaterThan(2.8);
  });

  it('never paces below its floor', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 10, floorPerSecond: 1 }, clock);
    sendOverASecond(pacer, clock, 'getIssue', 3);
    clock.time += 1500;
    for (let i = 0; i < 10; i++) {
      pacer.limited('getIssue', clock.time);
      clock.time += 5000;
      pacer.reserve('getIssue');
      pacer.reserve('getIssue');
      pacer.reserve('getIssue');
    }

    expect(pacer.rate('getIssue')).toBeGreaterThanOrEqual(1);
  });

  it('leaves an endpoint it barely called unpaced: the 429 came from traffic it does not own', () => {
    const clock = new FakeClock(0);
    const pacer = new EndpointPacer({ ceilingPerSecond: 10 }, clock);
    pacer.reserve('getIssue');

    pacer.limited('getIssue', clock.time + 1000);

    expect(pacer.rate('getIssue')).toBeUndefined();
  });
});
