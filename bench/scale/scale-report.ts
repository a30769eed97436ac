import type { MachineInfo } from '../machine.ts';
import type { BackfillRun } from './backfill-once.ts';
import type { StatusCounts } from './demo.ts';

/** The `scale` part of bench/results.json and its markdown (bench/scale/backfill.ts writes both). */

export interface Options {
  readonly mode: 'full' | 'quick' | 'custom';
  readonly sizes: readonly number[];
}

export interface SizeFigures {
  readonly issues: number;
  readonly date: string;
  readonly wallSeconds: number;
  readonly enqueueSeconds: number;
  readonly msPerIssue: number;
  readonly cpuMsPerIssue: number;
  readonly callsPerIssue: { readonly help: number; readonly eng: number; readonly total: number };
  readonly callsPerSecond: { readonly help: number; readonly eng: number };
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  readonly rssGrowthMiB: number;
  readonly rssHighWaterMiB?: number;
  readonly heapUsedPeakMiB: number;
  readonly run: BackfillRun;
}

export interface Growth {
  readonly from: number;
  readonly to: number;
  /** Per-issue figure at `to` over the same at `from`: 1 is linear growth of the total. */
  readonly msPerIssue: number;
  readonly cpuMsPerIssue: number;
  readonly callsPerIssue: number;
  readonly rssGrowth: number;
  readonly verdict: string;
}

export interface ScaleBenchResults {
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly settings: Options & {
    readonly clientPacing: { readonly ratePerSecond: number; readonly burst: number };
    readonly workload: string;
    readonly stack: string;
  };
  readonly sizes: readonly SizeFigures[];
  readonly growth: readonly Growth[];
  /** Sizes measured by earlier runs and not by this one (a 10,000 run is kept when the default runs). */
  readonly kept?: readonly SizeFigures[];
}

/** Per-issue figure at the larger size over the same at the smaller: within 10 % reads as linear. */
export function growth(a: SizeFigures, b: SizeFigures): Growth {
  const time = b.msPerIssue / a.msPerIssue;
  const cpu = b.cpuMsPerIssue / a.cpuMsPerIssue;
  const word = (r: number) => (r <= 1.1 ? 'linear' : `×${r.toFixed(2)} per issue`);
  return {
    from: a.issues,
    to: b.issues,
    msPerIssue: time,
    cpuMsPerIssue: cpu,
    callsPerIssue: b.callsPerIssue.total / a.callsPerIssue.total,
    rssGrowth: b.rssGrowthMiB / Math.max(0.1, a.rssGrowthMiB),
    verdict: `wall ${word(time)}, CPU ${word(cpu)} (×${(b.issues / a.issues).toFixed(0)} issues)`,
  };
}

const n = (v: number, digits = 1) => v.toFixed(digits);

export function renderScaleReport(r: ScaleBenchResults): string {
  const all = [...r.sizes, ...(r.kept ?? [])].sort((a, b) => a.issues - b.issues);
  const rows = all.map((s) => {
    const earlier = r.kept?.includes(s) ? ` (earlier run, ${s.date.slice(0, 10)})` : '';
    return `| ${s.issues.toLocaleString('en')}${earlier} | ${n(s.wallSeconds)} | ${n(s.enqueueSeconds)} | ${n(s.msPerIssue)} | ${n(s.cpuMsPerIssue)} | ${n(s.callsPerIssue.help, 2)} / ${n(s.callsPerIssue.eng, 2)} | ${n(s.callsPerSecond.help)} / ${n(s.callsPerSecond.eng)} | ${n(s.rssBeforeMiB, 0)} → ${n(s.rssPeakMiB, 0)} (+${n(s.rssGrowthMiB, 0)}) | ${s.run.callsTotal.non2xx} |`;
  });
  const growthRows = (list: readonly Growth[]) =>
    list.map(
      (g) =>
        `| ${g.from.toLocaleString('en')} → ${g.to.toLocaleString('en')} | ${n(g.msPerIssue, 2)}× | ${n(g.cpuMsPerIssue, 2)}× | ${n(g.callsPerIssue, 2)}× | ${n(g.rssGrowth, 2)}× | ${g.verdict} |`,
    );
  const extra =
    r.kept && r.kept.length > 0
      ? all
          .slice(1)
          .map((s, i) => growth(all[i] as SizeFigures, s))
          .filter((g) => !r.growth.some((h) => h.from === g.from && h.to === g.to))
      : [];
  const largest = all.at(-1);
  const ops = largest
    ? Object.entries({
        ...prefixed('HELP', largest.run.calls.help),
        ...prefixed('ENG', largest.run.calls.eng),
      })
        .map(([op, count]) => `${op} ${n(count / largest.issues, 2)}`)
        .join(', ')
    : '';
  const m = r.machine;
  const s = r.settings;
  return [
    `### jira-sync scale bench, ${r.date} (${s.mode}, ${r.durationSeconds.toFixed(0)} s)`,
    '',
    '| Issues backfilled | wall (s) | enqueued after (s) | ms per issue | CPU ms per issue | Jira calls per issue HELP / ENG | calls/s HELP / ENG | RSS before → peak (MiB) | non-2xx |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '| Growth | ms per issue | CPU per issue | calls per issue | RSS growth | reading |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...growthRows(r.growth),
    ...growthRows(extra),
    '',
    `- Workload: ${s.workload}`,
    `- Calls per issue at ${largest?.issues.toLocaleString('en') ?? '?'}, by operation: ${ops}.`,
    `- The worker's client paces ${s.clientPacing.ratePerSecond} calls/s per site (bursts of ${s.clientPacing.burst}), one bucket per connection shared by the stack's two pollers; the CLI has its own.`,
    `- Stack: ${s.stack}.`,
    `- Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform} ${m.arch}, Node ${m.node}; ` +
      `load average ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end?.toFixed(2) ?? '?'} at end.`,
  ].join('\n');
}

function prefixed(site: string, counts: StatusCounts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).map(([op, byStatus]) => [
      `${site} ${op.replace('/rest/api/2/', '').replaceAll('{issueIdOrKey}', '{id}')}`,
      Object.values(byStatus).reduce((a, b) => a + b, 0),
    ]),
  );
}
