import type { IngestHandler } from '../local/handler-types.ts';
import { setConfigForProcess } from '../shared/config/current.ts';
import { loadConfigFile } from '../shared/config/load.ts';
import { buildBundles } from './bundle.ts';
import { measureInit } from './init-time.ts';
import { measureLatency } from './latency.ts';
import { CONFIG_FILE, CONNECTION_ID, SILENCED_OUTPUT, startBenchStack } from './local-stack.ts';
import { machineInfo, runRecord } from './machine.ts';
import { runBench } from './main.ts';
import { parseOptions } from './options.ts';
import { renderReport } from './report.ts';
import type { BenchResults } from './results.ts';
import { RESULTS_FILE, writeIngestResults } from './results-file.ts';
import { webhookEventFactory } from './webhook-event.ts';

// Progress goes to stderr so stdout carries only the markdown report.
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  progress(`${options.mode} run on ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}`);

  const bundles = await buildBundles();
  progress(`bundled: ingest ${bundles.ingest.bytes} B, baseline ${bundles.baseline.bytes} B`);
  const init = await measureInit(bundles, options, progress);

  const stack = await startBenchStack();
  let latency: Awaited<ReturnType<typeof measureLatency>>;
  let bodyBytes: number;
  try {
    // Both handlers read their environment when first imported, as in a Lambda init.
    Object.assign(process.env, stack.env);
    // In Lambda the config is compiled into the bundle; in-process it is installed, as the local stack does.
    setConfigForProcess(loadConfigFile(CONFIG_FILE));
    const ingest = (await import('../functions/webhook-ingest/handler.ts')).handler as IngestHandler;
    const baseline = (await import('./baseline/sqs-only-handler.ts')).handler as IngestHandler;
    const factory = webhookEventFactory(CONNECTION_ID, stack.webhookSecret);
    bodyBytes = factory.bodyBytes;
    latency = await measureLatency(
      { ingest: { name: 'ingest', handler: ingest }, baseline: { name: 'baseline', handler: baseline } },
      factory,
      stack,
      options,
      progress,
    );
  } finally {
    await stack.stop();
  }

  const results: BenchResults = {
    ...runRecord(started, machine),
    settings: {
      ...options,
      logging: `silenced (${Object.entries(SILENCED_OUTPUT)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}): no log lines or EMF are serialised`,
      fixture: 'test/fixtures/webhooks/cloud-issue-updated.json',
      bodyBytes,
      sqs: 'fauxqs 1.9.2 in-process on 127.0.0.1 (FIFO queue + DLQ)',
      secretsManager: 'local/secrets-manager-server.ts on 127.0.0.1 (cached after the first call)',
    },
    figures: { latency, bundles, init },
    ratios: {
      latencyP50: latency.ratios.p50,
      latencyP90: latency.ratios.p90,
      latencyP99: latency.ratios.p99,
      throughput: latency.ratios.throughput,
      cpuPerEvent: latency.ratios.cpuPerEvent,
      bundleBytes: bundles.ingest.bytes / bundles.baseline.bytes,
      bundleGzipBytes: bundles.ingest.gzipBytes / bundles.baseline.gzipBytes,
      initMs: init.ratio,
    },
  };
  // The sync bench (`npm run bench:sync`) keeps its figures under `sync` in the same file.
  await writeIngestResults(results);
  process.stdout.write(`${renderReport(results)}\n`);
  progress(`wrote ${RESULTS_FILE}`);
}

runBench(main);
