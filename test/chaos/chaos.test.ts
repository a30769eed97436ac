import { describe, expect, it } from 'vitest';
import { renderCampaign, runCampaign } from './campaign.ts';

// The short version of `npm run chaos`; its seed is fixed so a failure replays with the same seed.
const SEED = Number(process.env.CHAOS_SEED ?? 20261123);

describe('fault campaign (short)', () => {
  it('survives webhook, API, SQS and DynamoDB faults with nothing lost or duplicated', async () => {
    const saved = {
      level: process.env.POWERTOOLS_LOG_LEVEL,
      metrics: process.env.POWERTOOLS_METRICS_DISABLED,
    };
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
    try {
      const result = await runCampaign({ seed: SEED, durationMs: 8000, settleMs: 60_000 });
      expect(result.escalated, renderCampaign(result)).toBeGreaterThan(2);
      expect(Object.keys(result.faults).length, renderCampaign(result)).toBeGreaterThan(3);
      expect(result.problems, renderCampaign(result)).toEqual([]);
    } finally {
      if (saved.level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
      else process.env.POWERTOOLS_LOG_LEVEL = saved.level;
      if (saved.metrics === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = saved.metrics;
    }
  }, 180_000);
});
