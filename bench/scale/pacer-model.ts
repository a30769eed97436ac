import { EndpointPacer } from '../../shared/jira/endpoint-pacer.ts';
import { TokenBucket } from '../../shared/jira/token-bucket.ts';

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

/** mulberry32: the same figures on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function simulate(run: Run): { share: number; limitedPer1000: number } {
  const random = seeded(run.seed);
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
        w.readyAt = now + 20 + Math.floor(random() * 20);
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
process.stdout.write(
  [
    '### Endpoint pacer model: 16 reconcilers, site budget 3/s burst 6 per endpoint, means of 3 seeds',
    '',
    '| decrease | growth per s | share, 60 s | 429s per 1,000, 60 s | share, 300 s | 429s per 1,000, 300 s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
