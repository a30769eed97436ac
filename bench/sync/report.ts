import type { Spread } from '../stats.ts';
import type { CallsPerChange } from './calls.ts';
import { CHANGE_KINDS, KIND_LABEL } from './changes.ts';
import type { SyncBenchResults } from './results.ts';
import type { KindLatency, Percentiles } from './sequential.ts';

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
const range = (s: Spread) => `${s.min.toFixed(2)}–${s.median.toFixed(2)}–${s.max.toFixed(2)}×`;
const three = (p: Percentiles) => `${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)}`;
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** `GET /rest/api/2/issue/{issueIdOrKey}/comment` → `GET issue/{id}/comment`. */
function shortOp(op: string): string {
  return op
    .replace('/rest/api/2/', '')
    .replace('/rest/servicedeskapi/', 'servicedesk/')
    .replaceAll('{issueIdOrKey}', '{id}');
}

function operations(calls: CallsPerChange): string {
  return Object.entries(calls.operations)
    .map(([key, n]) => {
      const [site, ...op] = key.split(' ');
      return `${site === 'help' ? 'HELP' : 'ENG'} ${shortOp(op.join(' '))} ${num(n)}`;
    })
    .join(', ');
}

function latencyRow(label: string, k: KindLatency): string {
  return `| ${label} (${k.pipeline.n}) | ${three(k.pipeline)} | ${three(k.baseline)} | ${x(k.ratio.p50)} / ${x(k.ratio.p95)} / ${x(k.ratio.p99)} | ${range(k.roundP50Ratio)} |`;
}

function callsRow(label: string, c: CallsPerChange): string {
  return `| ${label} | ${num(c.reads)} | ${num(c.writes)} | ${num(c.bySite.help.reads)} / ${num(c.bySite.help.writes)} | ${num(c.bySite.eng.reads)} / ${num(c.bySite.eng.writes)} | ${num(c.webhooks.help)} / ${num(c.webhooks.eng)} | ${operations(c)} |`;
}

/** The markdown `npm run bench:sync` prints and docs/benchmarks.md quotes. */
export function renderSyncReport(r: SyncBenchResults): string {
  const { sequential: seq, throughput: thr, echo, checks } = r.figures;
  const s = r.settings;
  const m = r.machine;
  const p = thr.bySubject.pipeline;
  const b = thr.bySubject.baseline;
  const latency = [
    '| Change (n) | pipeline p50 / p95 / p99 (ms) | baseline p50 / p95 / p99 (ms) | pipeline / baseline p50 / p95 / p99 | per-round p50 ratio (min–median–max) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...CHANGE_KINDS.map((kind) => latencyRow(KIND_LABEL[kind], seq.byKind[kind])),
    latencyRow('**All changes**', seq.all),
  ];
  const load = [
    '| Figure | pipeline | baseline | pipeline / baseline | per-round ratio (min–median–max) |',
    '| --- | ---: | ---: | ---: | --- |',
    `| Throughput, ${thr.concurrency} issues edited at once (changes/s) | ${p.changesPerSecond.toFixed(2)} | ${b.changesPerSecond.toFixed(2)} | ${x(thr.ratios.throughput)} | ${range(thr.ratios.throughputRounds)} |`,
    `| Latency under that load, p50 (ms) | ${ms(p.latencyP50)} | ${ms(b.latencyP50)} | ${x(p.latencyP50 / b.latencyP50)} |  |`,
    `| CPU per change under load (ms) | ${p.cpuMsPerChange.toFixed(1)} | ${b.cpuMsPerChange.toFixed(1)} | ${x(thr.ratios.cpuPerChange)} | ${range(thr.ratios.cpuPerChangeRounds)} |`,
    `| Writes after quiescence (${echo.windowSeconds} s watched) | ${echo.writes} | – | goal 0 |  |`,
  ];
  const calls = [
    '| Change | reads | writes | HELP reads / writes | ENG reads / writes | webhooks sent HELP / ENG | calls by operation |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...CHANGE_KINDS.map((kind) => callsRow(KIND_LABEL[kind], seq.calls[kind])),
    callsRow('Baseline (one summary copied)', seq.baselineCalls),
  ];
  const stages = [
    '| Change | edit → webhook accepted | → first Jira call answered | → last read answered | → visible on the other site | p50 end to end |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...CHANGE_KINDS.map((kind) => {
      const st = seq.byKind[kind].stages;
      return `| ${KIND_LABEL[kind]} | ${ms(st.toWebhookAccepted)} | ${ms(st.toFirstJiraCall)} | ${ms(st.toLastRead)} | ${ms(st.toLanded)} | ${ms(seq.byKind[kind].pipeline.p50)} |`;
    }),
  ];
  const bad = Object.entries(checks.non2xx);
  return [
    `### jira-sync sync bench, ${r.date} (${s.mode}, ${r.durationSeconds.toFixed(0)} s)`,
    '',
    ...latency,
    '',
    ...load,
    '',
    'Jira calls per change (averages; reads are GETs and searches):',
    '',
    ...calls,
    '',
    'Where the time of a change goes (medians, ms):',
    '',
    ...stages,
    '',
    `- Latency: ${s.rounds} rounds of ${seq.all.pipeline.n / s.rounds} sequential changes after ${s.warmupChanges} warm-up changes, ` +
      `rotating over ${thr.concurrency} linked pairs; each change waited for on the other site (polled every event-loop turn) and ` +
      `until the pipeline was quiet. One baseline sync per change, same direction, order alternating. The worker's client ` +
      `paces ${seq.pacing.ratePerSecond} calls/s per connection (burst ${seq.pacing.burst}): before each change the bench ` +
      `waited until a mirror of that bucket held ${seq.pacing.tokensBeforeEachChange} calls per connection ` +
      `(${seq.pacing.waitedSeconds.toFixed(0)} s in all), so no latency includes pacing.`,
    `- Throughput: ${s.throughputRounds} rounds of a pipeline and a baseline block (order alternating), ` +
      `${s.throughputWarmupMs / 1000} s unmeasured then ${s.throughputMeasureMs / 1000} s measured per block, windows pooled; ` +
      'summary edits HELP → ENG, each editor waits for its change to land (polled every 1 ms) before the next.',
    `- Flow: ${s.flow}. Stack: ${s.stack}. Baseline: ${s.baseline}. Logging: ${s.logging}.`,
    `- Checks: ${checks.deadLettered} dead-lettered, ${checks.failedRecords} failed records in ${checks.workerBatches} ` +
      `worker batches, ${checks.contractViolations} contract violations, ` +
      `${bad.length === 0 ? 'every Jira answer 2xx' : `non-2xx answers: ${bad.map(([k, n]) => `${k} ×${n}`).join(', ')}`}` +
      `${checks.warnings.length > 0 ? `; warnings: ${checks.warnings.join(' | ')}` : ''}.`,
    `- Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform} ${m.arch}, Node ${m.node}; ` +
      `load average ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end?.toFixed(2) ?? '?'} at end.`,
  ].join('\n');
}
