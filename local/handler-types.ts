import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';

/** What `functions/webhook-ingest/handler.ts` exports as `handler` (middy-wrapped or plain). */
export type IngestHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

/** What `functions/sync-worker/handler.ts` exports as `handler`. `undefined` means "no failures", as in Lambda. */
export type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
