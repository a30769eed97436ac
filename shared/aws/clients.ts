import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Module-level AWS SDK clients, created on first use and reused across warm invocations. Endpoints come
 * from the standard SDK environment (`AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`,
 * `AWS_ENDPOINT_URL_DYNAMODB`), so the
 * local stack and tests use these very clients against the emulators; only the endpoints differ.
 */
let sqs: SQSClient | undefined;
let secrets: SecretsManagerClient | undefined;
let dynamo: DynamoDBDocumentClient | undefined;

export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({ maxAttempts: 2 });
  return sqs;
}

export function secretsManagerClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({ maxAttempts: 2 });
  return secrets;
}

/** DynamoDB through the document client: plain JS values in and out, empty strings kept as they are. */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return dynamo;
}

/** Forget the clients so the next call re-reads the environment (tests that restart emulators). */
export function resetAwsClients(): void {
  sqs?.destroy();
  secrets?.destroy();
  dynamo?.destroy();
  sqs = undefined;
  secrets = undefined;
  dynamo = undefined;
}
