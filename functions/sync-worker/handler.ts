import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createLogger, createMetrics } from '../../shared/observability/powertools.ts';
import { parseSyncRecord } from '../../shared/sync/sync-record.ts';

const logger = createLogger('sync-worker');
const metrics = createMetrics();
// FIFO: once a record of a group fails, the group's later records fail too, so per-issue order holds.
const processor = new SqsFifoPartialProcessorAsync();

async function handleRecord(record: SQSRecord): Promise<void> {
  try {
    await reconcileRecord(record);
  } catch (error) {
    logger.error(
      'sync record failed; it returns to the queue and reaches the DLQ after the maximum receives',
      {
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        error,
      },
    );
    throw error;
  }
}

async function reconcileRecord(record: SQSRecord): Promise<void> {
  const event = parseSyncRecord(record.body, record.messageId);
  const lagMs = Date.now() - event.receivedAt;
  metrics.addMetric('EventsReceived', MetricUnit.Count, 1);
  // The sync engine (reconcile) plugs in here; until it lands the worker records what it would reconcile.
  logger.info('sync event received', {
    messageId: record.messageId,
    connectionId: event.connectionId,
    issueId: event.issue.id,
    issueKey: event.issue.key,
    kind: event.kind,
    webhookId: event.webhookId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
    queueLagMs: lagMs,
  });
}

async function work(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const response = await processPartialResponse(event, handleRecord, processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
  if (response.batchItemFailures.length > 0) {
    metrics.addMetric('RecordsFailed', MetricUnit.Count, response.batchItemFailures.length);
  }
  return response;
}

export const handler = middy(work)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
