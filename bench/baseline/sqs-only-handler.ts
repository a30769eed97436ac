import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The least a webhook-to-SQS Lambda can do: parse the body and send one message. It is the yardstick for
 * both the latency bench (invoked in-process) and the bundle/init bench (bundled like the real handler).
 * It sends a small message rather than the raw body so the comparison is not skewed by payload size:
 * the ingest handler also sends a small SyncEvent.
 */

const queueUrl = process.env.JIRA_SYNC_QUEUE_URL ?? '';
// Same settings as shared/aws/clients.ts, so only what ingest does on top is measured.
const sqs = new SQSClient({ maxAttempts: 2 });

interface LooseWebhook {
  webhookEvent?: string;
  issue?: { id?: string };
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const connectionId = event.pathParameters?.connectionId ?? '';
  const payload = JSON.parse(event.body ?? '{}') as LooseWebhook;
  const issueId = payload.issue?.id ?? 'none';
  const webhookId = event.headers['x-atlassian-webhook-identifier'] ?? event.requestContext.requestId;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ connectionId, issueId, webhookId, kind: payload.webhookEvent }),
      MessageGroupId: `${connectionId}:${issueId}`,
      MessageDeduplicationId: webhookId,
    }),
  );
  return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"accepted":1}' };
}
