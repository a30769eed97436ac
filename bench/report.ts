import type { Contributor } from './bundle.ts';
import type { BenchResults } from './results.ts';
import type { Spread } from './stats.ts';

const ms = (value: number) => value.toFixed(2);
const ratio = (value: number) => `${value.toFixed(2)}×`;
const range = (s: Spread) => `${s.min.toFixed(2)}–${s.median.toFixed(2)}–${s.max.toFixed(2)}×`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const listed = (items: readonly Contributor[]) => items.map((c) => `${c.name} ${kib(c.bytes)}`).join(', ');

/** The markdown `npm run bench` prints and docs/benchmarks.md quotes. */
export function renderReport(r: BenchResults): string {
  const { latency, bundles, init } = r.figures;
  const seq = latency.sequential;
  const thr = latency.throughput;
  const s = r.settings;
  const rows: string[][] = [
    [
      'Warm latency p50 (ms)',
      ms(seq.ingest.p50),
      ms(seq.baseline.p50),
      ratio(r.ratios.latencyP50),
      range(latency.ratios.p50Rounds),
    ],
    ['Warm latency p90 (ms)', ms(seq.ingest.p90), ms(seq.baseline.p90), ratio(r.ratios.latencyP90), ''],
    ['Warm latency p99 (ms)', ms(seq.ingest.p99), ms(seq.baseline.p99), ratio(r.ratios.latencyP99), ''],
    [
      `Throughput, ${latency.concurrency} in flight (events/s)`,
      thr.ingest.rate.median.toFixed(0),
      thr.baseline.rate.median.toFixed(0),
      ratio(r.ratios.throughput),
      range(latency.ratios.throughputRounds),
    ],
    [
      'CPU per event under load (µs)',
      thr.ingest.cpu.median.toFixed(0),
      thr.baseline.cpu.median.toFixed(0),
      ratio(r.ratios.cpuPerEvent),
      range(latency.ratios.cpuPerEventRounds),
    ],
    [
      'Bundle, minified (bytes)',
      bundles.ingest.bytes.toLocaleString('en'),
      bundles.baseline.bytes.toLocaleString('en'),
      ratio(r.ratios.bundleBytes),
      '',
    ],
    [
      'Bundle, gzip (bytes)',
      bundles.ingest.gzipBytes.toLocaleString('en'),
      bundles.baseline.gzipBytes.toLocaleString('en'),
      ratio(r.ratios.bundleGzipBytes),
      '',
    ],
    [
      'Module init, median (ms)',
      ms(init.importMs.ingest.p50),
      ms(init.importMs.baseline.p50),
      ratio(r.ratios.initMs),
      range(init.ratioRounds),
    ],
    [
      'RSS after init (MiB)',
      String(init.rssMiB.ingest),
      String(init.rssMiB.baseline),
      ratio(init.rssMiB.ingest / init.rssMiB.baseline),
      '',
    ],
  ];
  const table = [
    '| Figure | ingest | baseline | ingest / baseline | per-round ratio (min–median–max) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
  const m = r.machine;
  return [
    `### jira-sync bench, ${r.date} (${s.mode}, ${r.durationSeconds.toFixed(0)} s)`,
    '',
    ...table,
    '',
    `- Latency: ${s.rounds} interleaved rounds × ${s.sequentialCalls} sequential calls per handler after ` +
      `${s.warmupCalls} warm-up calls; throughput: ${s.rounds} rounds × ${s.throughputEvents} events. ` +
      `Body: ${s.fixture} (${s.bodyBytes} bytes), HMAC-signed, unique webhook id per call.`,
    `- Baseline: bench/baseline/sqs-only-handler.ts (JSON.parse + one SendMessage). SQS: ${s.sqs}. ` +
      `Secrets: ${s.secretsManager}. Logging: ${s.logging}.`,
    `- Init: \`await import()\` of each esbuild bundle in ${s.initRuns} fresh \`node ${init.nodeOptions}\` ` +
      'processes per bundle, alternating.',
    `- Ingest bundle, largest packages: ${listed(bundles.ingest.topPackages)}.`,
    `- Ingest bundle, largest folders: ${listed(bundles.ingest.topFolders)}.`,
    `- Ingest bundle, largest inputs: ${listed(bundles.ingest.topInputs)}.`,
    `- Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform} ${m.arch}, Node ${m.node}; ` +
      `load average ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end?.toFixed(2) ?? '?'} at end.`,
  ].join('\n');
}
