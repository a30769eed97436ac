import { setTimeout as sleep } from 'node:timers/promises';
import { BenchCheckFailed } from '../latency.ts';
import { SILENCED_OUTPUT } from '../local-stack.ts';
import { machineInfo, runRecord } from '../machine.ts';
import { runBench } from '../main.ts';
import { RESULTS_FILE, writeSyncResults } from '../results-file.ts';
import { totalWrites } from './calls.ts';
import { changesPerRound, parseSyncOptions } from './options.ts';
import { renderSyncReport } from './report.ts';
import type { SyncBenchResults } from './results.ts';
import { measureSequential } from './sequential.ts';
import { FLOW_ID, startSyncStack } from './stack.ts';
import { measureThroughput } from './throughput.ts';

// Progress goes to stderr so stdout carries only the markdown report.
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

/**
 * `npm run bench:sync`: end-to-end sync latency, Jira calls per change, throughput and echo writes of the
 * whole product on 127.0.0.1, against a baseline (the Jira client copying one field) in the same run.
 * A process of its own: the local stack imports the real handlers with its environment, which the ingest
 * bench (`npm run bench`) has already bound to its own queue in that process.
 */
async function main(): Promise<void> {
  const options = parseSyncOptions(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  progress(`sync ${options.mode} run on ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}`);

  const stack = await startSyncStack(options.concurrency);
  let results: SyncBenchResults;
  try {
    progress(`sync: stack up, ${stack.linked.length} linked pairs escalated and synced`);
    const sequential = await measureSequential(stack, options, progress);
    const throughput = await measureThroughput(stack, options, progress);

    // Echo: with everything settled, any further write is one the sync made to its own changes.
    await stack.quiet();
    const writesBefore = totalWrites(stack.requests());
    await sleep(options.echoWindowMs);
    await stack.quiet();
    const echoWrites = totalWrites(stack.requests()) - writesBefore;
    const checks = await stack.checks();
    if (checks.deadLettered > 0 || checks.failedRecords > 0 || checks.contractViolations > 0) {
      throw new BenchCheckFailed(
        `the sync misbehaved: ${checks.deadLettered} dead-lettered, ${checks.failedRecords} failed records, ` +
          `${checks.contractViolations} contract violations`,
      );
    }

    const summary = sequential.byKind.summaryHelpToEng;
    results = {
      ...runRecord(started, machine),
      settings: {
        ...options,
        flow: `${FLOW_ID} (local/demo.config.yaml): HELP on demo-cloud (Cloud + JSM) ⇄ ENG on demo-dc (Data Center), summary/description/priority, status map, comments`,
        stack:
          'local/stack.ts in one process on 127.0.0.1: Jira simulator (every request and response checked against the OpenAPI contracts), API Gateway adapter + real ingest, fauxqs, SQS poller + real worker, dynalite, local Secrets Manager',
        baseline:
          'shared/jira client (defaults as the worker: pacing, retries; integration accounts): getIssue on the source, editIssue of the summary on the target; the human edit made without webhooks',
        logging: `silenced (${Object.entries(SILENCED_OUTPUT)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}); local stack and simulator log lines dropped`,
      },
      figures: {
        sequential,
        throughput,
        echo: { windowSeconds: options.echoWindowMs / 1000, writes: echoWrites },
        checks,
      },
      ratios: {
        summaryP50: summary.ratio.p50,
        summaryP95: summary.ratio.p95,
        summaryP99: summary.ratio.p99,
        allP50: sequential.all.ratio.p50,
        allP95: sequential.all.ratio.p95,
        allP99: sequential.all.ratio.p99,
        throughput: throughput.ratios.throughput,
        cpuPerChange: throughput.ratios.cpuPerChange,
      },
    };
  } finally {
    await stack.stop();
  }
  await writeSyncResults(results);
  process.stdout.write(`${renderSyncReport(results)}\n`);
  progress(
    `sync: ${options.rounds * changesPerRound(options)} measured changes; wrote the sync part of ${RESULTS_FILE}`,
  );
}

runBench(main);
