import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { requireEnv } from '../../shared/aws/env.ts';
import { loadConfig } from '../../shared/config/current.ts';
import { jiraClients } from '../../shared/jira/client.ts';
import { createLogger, createMetrics } from '../../shared/observability/powertools.ts';
import { traceJiraCalls } from '../../shared/observability/tracing.ts';
import { SweepMarks } from '../../shared/state/sweep-marks.ts';
import { JiraSite } from '../../shared/sync/jira-site.ts';
import { runSweep } from '../../shared/sync/sweep-run.ts';
import { sqsEnqueue } from '../../shared/webhook/enqueue.ts';

const logger = createLogger('sweep');
const metrics = createMetrics();
const config = loadConfig();
const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'jira-sync' });
const clients = jiraClients({
  observe: traceJiraCalls(tracer),
  onRateLimitWait: () => metrics.addMetric('RateLimitWaits', MetricUnit.Count, 1),
});
const marks = new SweepMarks(requireEnv('JIRA_SYNC_STATE_TABLE'));
const enqueue = sqsEnqueue(requireEnv('JIRA_SYNC_QUEUE_URL'));

function site(connectionId: string) {
  const connection = config.connections.find((c) => c.id === connectionId);
  if (!connection) throw new Error(`connection ${connectionId} is not in the deployed configuration`);
  return new JiraSite(connection, clients(connection));
}

/** EventBridge schedule → one sweep of every flow (missed webhooks converge within one period). */
async function sweep(): Promise<{ flows: number; failed: number }> {
  const results = await runSweep({ flows: config.flows, site, marks, enqueue, now: Date.now });
  for (const result of results) {
    if (result.error === undefined) {
      metrics.addMetric('SweepEnqueued', MetricUnit.Count, result.enqueued ?? 0);
      logger.info('flow swept', { flowId: result.flowId, enqueued: result.enqueued });
    } else {
      metrics.addMetric('SweepFailures', MetricUnit.Count, 1);
      logger.error('flow sweep failed; the next sweep covers the gap', {
        flowId: result.flowId,
        error: result.error,
      });
    }
  }
  return { flows: results.length, failed: results.filter((r) => r.error !== undefined).length };
}

export const handler = middy(sweep)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
