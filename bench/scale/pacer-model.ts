import { EndpointPacer } from '../../shared/jira/endpoint-pacer.ts';
import { TokenBucket } from '../../shared/jira/token-bucket.ts';
import { Random } from '../../simulator/random.ts';

/**
 * `npx tsx bench/scale/pacer-model.ts`: the client's endpoint pacing against a model of Jira's burst limit,
 * in simulated time (1 ms steps), to choose the pacer's decrease and growth. The real thing is
 * `npm run bench:rate-limit`; this model runs minutes of traffic in a second, so settings can be compared.
 *
 * Model: reconcilers each call three endpoints in turn (GET issue, GET comment, PUT issue), 20–40 ms per
 * answer, through the real EndpointPacer and the connection's TokenBucket (10/s, burst 20). The site keeps a
 * token bucket per endpoint; an empty one answers 429 with Retry-After 1 s, which pauses that endpoint and
 * tells the pacer. A call that waited for its slot re-checks the pause and the pacer's epoch, as the client
 * does. Shares are of the three endpoints' budgets (capacity + refill × duration).
 */

interface Run {
  readonly decrease: number;
  readonly increasePerSecond: number;
  readonly refillPerSecond: number;
  readonly capacity: number;
  readonly reconcilers: number;
  readonly seconds: number;
  readonly seed: number;
}

function simulate(run: Run): { share: number; limitedPer1000: number } {
  const random = new Random(run.seed);
  let now = 0;
  const clock = { now: () => now, sleep: async () => {} };
  const pacer = new EndpointPacer(
    { ceilingPerSecond: 10, decrease: run.decrease, increasePerSecond: run.increasePerSecond },
    clock,
  );
  const bucket = new TokenBucket({ ratePerSecond: 10, burst: 20 }, clock);
  const endpoints = ['GET issue', 'GET comment', 'PUT issue'];
  const site = new Map(endpoints.map((e) => [e, { tokens: run.capacity, at: 0 }]));
  const pausedUntil = new Map<string, number>();
  let answered = 0;
  let limited = 0;
  const workers = Array.from({ length: run.reconcilers }, () => ({
    step: 0,
    readyAt: 0,
    waiting: false,
    epoch: 0,
  }));
  for (now = 0; now < run.seconds * 1000; now++) {
    for (const w of workers) {
      if (now < w.readyAt) continue;
      const endpoint = endpoints[w.step % endpoints.length] ?? 'GET issue';
      const pause = pausedUntil.get(endpoint) ?? 0;
      if (!w.waiting) {
        if (pause > now) {
          w.readyAt = pause;
          continue;
        }
        w.epoch = pacer.epoch(endpoint);
        w.readyAt = now + pacer.reserve(endpoint) + bucket.reserve();
        w.waiting = true;
        continue;
      }
      w.waiting = false;
      if (pause > now || pacer.epoch(endpoint) !== w.epoch) continue;
      const bucketOfSite = site.get(endpoint) ?? { tokens: 0, at: 0 };
      bucketOfSite.tokens = Math.min(
        run.capacity,
        bucketOfSite.tokens + ((now - bucketOfSite.at) / 1000) * run.refillPerSecond,
      );
      bucketOfSite.at = now;
      if (bucketOfSite.tokens >= 1) {
        bucketOfSite.tokens -= 1;
        answered++;
        w.step++;
        w.readyAt = now + random.int(20, 39);
      } else {
        limited++;
        const until = now + 1000;
        pausedUntil.set(endpoint, Math.max(pause, until));
        pacer.limited(endpoint, until);
        w.readyAt = now + 10;
      }
    }
  }
  const budget = endpoints.length * (run.capacity + run.refillPerSecond * run.seconds);
  return { share: answered / budget, limitedPer1000: (limited / (answered + limited)) * 1000 };
}

/**
 * Seconds until the endpoint is back at 90 % of its rate after a storm: `storm` 429s half a second apart
 * that were not about our pace (Jira briefly overloaded), hitting an endpoint paced at a learnt rate.
 */
function stormRecovery(decrease: number, increasePerSecond: number, storm: number): number {
  let now = 0;
  const clock = { now: () => now, sleep: async () => {} };
  const pacer = new EndpointPacer({ ceilingPerSecond: 10, decrease, increasePerSecond }, clock);
  // Sends as fast as the pacer allows for `ms`.
  const run = (ms: number) => {
    const until = now + ms;
    while (now < until) now += Math.max(1, pacer.reserve('GET issue'));
  };
  for (let i = 0; i < 8; i++) {
    now += 250;
    pacer.reserve('GET issue');
  }
  pacer.limited('GET issue', now + 1000);
  run(30_000);
  const before = pacer.rate('GET issue') ?? 10;
  for (let i = 0; i < storm; i++) {
    pacer.limited('GET issue', now + 1000);
    run(500);
  }
  const stormEnd = now;
  while ((pacer.rate('GET issue') ?? 10) < 0.9 * before && now - stormEnd < 3_600_000) run(100);
  return (now - stormEnd) / 1000;
}

const rows: string[] = [];
for (const decrease of [0.85, 0.75, 0.7, 0.6]) {
  for (const increasePerSecond of [0.005, 0.01, 0.02]) {
    const cells: string[] = [];
    for (const seconds of [60, 300]) {
      const results = [1, 2, 3].map((seed) =>
        simulate({
          decrease,
          increasePerSecond,
          refillPerSecond: 3,
          capacity: 6,
          reconcilers: 16,
          seconds,
          seed,
        }),
      );
      const mean = (f: (r: { share: number; limitedPer1000: number }) => number) =>
        results.reduce((s, r) => s + f(r), 0) / results.length;
      cells.push(`${(mean((r) => r.share) * 100).toFixed(0)} %`, mean((r) => r.limitedPer1000).toFixed(1));
    }
    rows.push(`| ${decrease} | ${(increasePerSecond * 100).toFixed(1)} % | ${cells.join(' | ')} |`);
  }
}
const storms = [0.85, 0.75, 0.7, 0.6].map(
  (d) => `| ${d} | ${[0.005, 0.01, 0.02].map((g) => stormRecovery(d, g, 8).toFixed(0)).join(' s | ')} s |`,
);
process.stdout.write(
  [
    '### Endpoint pacer model: 16 reconcilers, site budget 3/s burst 6 per endpoint, means of 3 seeds',
    '',
    '| decrease | growth per s | share, 60 s | 429s per 1,000, 60 s | share, 300 s | 429s per 1,000, 300 s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '### Back to 90 % of the learnt rate after a storm of 8 429s (half a second apart) not caused by our pace',
    '',
    '| decrease | growth 0.5 % | growth 1.0 % | growth 2.0 % |',
    '| ---: | ---: | ---: | ---: |',
    ...storms,
    '',
  ].join('\n'),
);
