import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { requireEnv } from '../../shared/aws/env.ts';
import { loadConfig } from '../../shared/config/current.ts';
import { createLogger, createMetrics } from '../../shared/observability/powertools.ts';
import { sqsEnqueue } from '../../shared/webhook/enqueue.ts';
import { type IngestOutcome, ingestWebhook } from '../../shared/webhook/ingest.ts';
import { secretsManagerWebhookSecrets } from '../../shared/webhook/webhook-secret.ts';

const logger = createLogger('webhook-ingest');
const metrics = createMetrics();
const config = loadConfig();
const deps = {
  config,
  secrets: secretsManagerWebhookSecrets({ ttlSeconds: config.ingest.secretTtlSeconds }),
  enqueue: sqsEnqueue(requireEnv('JIRA_SYNC_QUEUE_URL')),
};

function respond(status: number, body: Record<string, unknown>): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function record(outcome: IngestOutcome, connectionId: string): APIGatewayProxyStructuredResultV2 {
  switch (outcome.outcome) {
    case 'accepted':
      metrics.addMetric('WebhooksAccepted', MetricUnit.Count, 1);
      metrics.addMetric('EventsEnqueued', MetricUnit.Count, outcome.events.length);
      logger.info('webhook accepted', {
        connectionId,
        webhookId: outcome.events[0]?.webhookId,
        issueIds: outcome.events.map((e) => e.issue.id ?? e.issue.key),
        kind: outcome.events[0]?.kind,
        retry: outcome.events[0]?.retry,
      });
      return respond(202, { accepted: outcome.events.length });
    case 'ignored-own-change':
      metrics.addMetric('WebhooksIgnoredOwnChange', MetricUnit.Count, 1);
      logger.info('webhook ignored: caused by the integration account', {
        connectionId,
        webhookId: outcome.events[0]?.webhookId,
      });
      return respond(202, { ignored: 'own-change' });
    case 'ignored-no-issue':
      metrics.addMetric('WebhooksIgnoredNoIssue', MetricUnit.Count, 1);
      logger.info('webhook ignored: no issue', { connectionId, webhookEvent: outcome.webhookEvent });
      return respond(202, { ignored: 'no-issue' });
    case 'rejected': {
      const single = metrics.singleMetric();
      single.addDimension('reason', outcome.reason);
      single.addMetric('WebhooksRejected', MetricUnit.Count, 1);
      logger.warn('webhook rejected', { connectionId, status: outcome.status, reason: outcome.reason });
      return respond(outcome.status, { message: outcome.message });
    }
    case 'unavailable':
      metrics.addMetric('WebhooksUnavailable', MetricUnit.Count, 1);
      logger.error('webhook not accepted: dependency unavailable, Jira will retry', {
        connectionId,
        reason: outcome.reason,
        error: outcome.error,
      });
      return {
        ...respond(503, { message: 'temporarily unavailable, retry later' }),
        headers: { 'retry-after': '5', 'content-type': 'application/json' },
      };
  }
}

/** API Gateway HTTP API (payload 2.0) `POST /webhooks/{connectionId}` → the domain's `ingestWebhook`. */
async function ingest(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const connectionId = event.pathParameters?.connectionId ?? '';
  metrics.addMetric('WebhooksReceived', MetricUnit.Count, 1);
  const body = event.body
    ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  const outcome = await ingestWebhook(
    {
      connectionId,
      headers: event.headers,
      query: event.queryStringParameters ?? {},
      body,
      receivedAt: Date.now(),
    },
    deps,
  );
  return record(outcome, connectionId);
}

export const handler = middy(ingest)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
