import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { requireEnv } from '../../shared/aws/env.ts';
import { loadConfig } from '../../shared/config/current.ts';
import { jiraClients } from '../../shared/jira/client.ts';
import { createLogger, createMetrics } from '../../shared/observability/powertools.ts';
import { traceJiraCalls } from '../../shared/observability/tracing.ts';
import { DeliveryLog } from '../../shared/state/deliveries.ts';
import { LinkStore } from '../../shared/state/link-store.ts';
import { processBatch, type QueueRecord, type RecordOutcome } from '../../shared/sync/batch.ts';
import { type DispatchResult, dispatchEvent } from '../../shared/sync/dispatch.ts';
import { JiraSite } from '../../shared/sync/jira-site.ts';
import { sqsQueueOps } from '../../shared/sync/queue-ops.ts';
import type { SitePort } from '../../shared/sync/site-port.ts';
import { deduplicationId } from '../../shared/webhook/enqueue.ts';
import type { SyncEvent } from '../../shared/webhook/sync-event.ts';

const logger = createLogger('sync-worker');
const metrics = createMetrics();
const config = loadConfig();
const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'jira-sync' });
const clients = jiraClients({
  observe: traceJiraCalls(tracer),
  onRateLimitWait: () => metrics.addMetric('RateLimitWaits', MetricUnit.Count, 1),
});
const tableName = requireEnv('JIRA_SYNC_STATE_TABLE');
const store = new LinkStore({ tableName });
const deliveries = new DeliveryLog(tableName);
const queue = sqsQueueOps(requireEnv('JIRA_SYNC_QUEUE_URL'), requireEnv('JIRA_SYNC_DLQ_URL'));
const maxReceiveCount = Number(process.env.JIRA_SYNC_MAX_RECEIVE_COUNT ?? '5');
const maxBackoffSeconds = Number(process.env.JIRA_SYNC_MAX_BACKOFF_SECONDS ?? '120');
const createGraceMs = Number(process.env.JIRA_SYNC_CREATE_GRACE_SECONDS ?? '60') * 1000;

// One site per connection for the container's life: field lists and the integration account are cached.
const sites = new Map<string, SitePort>();
function site(connectionId: string): SitePort {
  let found = sites.get(connectionId);
  if (!found) {
    const connection = config.connections.find((c) => c.id === connectionId);
    if (!connection) throw new Error(`connection ${connectionId} is not in the deployed configuration`);
    found = new JiraSite(connection, clients(connection));
    sites.set(connectionId, found);
  }
  return found;
}

/** The same key the ingest deduplicates with in SQS: connection, delivery identifier, issue. */
const deliveryKey = (event: SyncEvent) => deduplicationId(event);

function toQueueRecord(record: SQSRecord): QueueRecord {
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    groupId: record.attributes.MessageGroupId ?? 'unknown',
    deduplicationId: record.attributes.MessageDeduplicationId ?? record.messageId,
  };
}

function report(event: SyncEvent, results: readonly DispatchResult[]): void {
  for (const result of results) {
    if ('writes' in result) {
      const writes = Object.values(result.writes).reduce((a, b) => a + b, 0);
      metrics.addMetric('Reconciles', MetricUnit.Count, 1);
      if (writes > 0) metrics.addMetric('JiraWrites', MetricUnit.Count, writes);
      // Writes by kind, for the dashboard and cost: fields, transitions, comments, attachments, issues.
      for (const [kind, count] of Object.entries(result.writes)) {
        if (count > 0) metrics.addMetric(`JiraWrites_${kind}`, MetricUnit.Count, count);
      }
      if (result.conflicts.length > 0)
        metrics.addMetric('Conflicts', MetricUnit.Count, result.conflicts.length);
      if (writes > 0) metrics.addMetric('SyncLag', MetricUnit.Milliseconds, Date.now() - event.receivedAt);
      logger.info('reconciled', {
        flowId: result.flowId,
        connectionId: event.connectionId,
        issueId: event.issue.id,
        sourceIssueId: result.sourceIssueId,
        targetIssueId: result.targetIssueId,
        outcome: result.outcome,
        writes: result.writes,
        conflicts: result.conflicts.map((c) => ({ field: c.field, winner: c.winner })),
        notes: result.notes,
        webhookId: event.webhookId,
        lagMs: Date.now() - event.receivedAt,
      });
    } else {
      logger.debug('event concerns no linked issue', { flowId: result.flowId, issue: result.issue });
    }
  }
}

function onOutcome(outcome: RecordOutcome): void {
  if (outcome.kind === 'done') return;
  if (outcome.kind === 'retry') {
    metrics.addMetric('Retries', MetricUnit.Count, outcome.messageIds.length);
    logger.warn('reconcile failed; retrying later', {
      messageIds: outcome.messageIds,
      code: outcome.failure.code,
      error: outcome.failure.message,
      delaySeconds: outcome.delaySeconds,
    });
  } else {
    metrics.addMetric('DeadLettered', MetricUnit.Count, outcome.messageIds.length);
    logger.error('record moved to the dead-letter queue', {
      messageIds: outcome.messageIds,
      code: outcome.failure.code,
      error: outcome.failure.message,
    });
  }
}

/** SQS FIFO batch → coalesced reconciles; failed records are reported so only they return to the queue. */
async function work(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  // The lease outlives this invocation's deadline, so a live worker never loses a link mid-reconcile.
  const lease = { owner: context.awsRequestId, ms: context.getRemainingTimeInMillis() + 30_000 };
  const failed = await processBatch(event.Records.map(toQueueRecord), {
    reconcile: async (syncEvent) => {
      metrics.addMetric('EventsReceived', MetricUnit.Count, 1);
      logger.debug('sync event received', {
        connectionId: syncEvent.connectionId,
        issueId: syncEvent.issue.id,
        issueKey: syncEvent.issue.key,
        kind: syncEvent.kind,
        webhookId: syncEvent.webhookId,
        queueLagMs: Date.now() - syncEvent.receivedAt,
      });
      // A late Jira retry of a delivery already reconciled costs one read of the state table, no Jira call.
      const delivery = deliveryKey(syncEvent);
      if (await deliveries.seen(delivery)) {
        metrics.addMetric('DuplicateDeliveries', MetricUnit.Count, 1);
        logger.debug('duplicate delivery skipped', {
          webhookId: syncEvent.webhookId,
          issueId: syncEvent.issue.id,
        });
        return;
      }
      const results = await dispatchEvent(syncEvent, {
        flows: config.flows,
        site,
        store,
        lease,
        now: Date.now,
        createGraceMs,
      });
      report(syncEvent, results);
      await deliveries.remember(delivery);
    },
    deadLetter: queue.deadLetter,
    retryLater: queue.retryLater,
    maxReceiveCount,
    maxBackoffSeconds,
    onOutcome,
  });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(work)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
