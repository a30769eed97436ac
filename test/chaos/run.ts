import { parseArgs } from 'node:util';
import { renderCampaign, runCampaign } from './campaign.ts';

/** `npm run chaos [-- --seed N] [-- --minutes M]`: the long fault campaign; exits 1 on a failed verdict. */
const { values } = parseArgs({
  options: { seed: { type: 'string' }, minutes: { type: 'string', default: '2' } },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const minutes = Number(values.minutes);
if (!Number.isInteger(seed) || !(minutes > 0)) {
  process.stderr.write('usage: npm run chaos [-- --seed <integer>] [-- --minutes <number>]\n');
  process.exit(2);
}
Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const result = await runCampaign({
  seed,
  durationMs: minutes * 60_000,
  settleMs: 120_000,
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`${renderCampaign(result)}\n`);
process.exit(result.verdict === 'pass' ? 0 : 1);
