import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { STATE_TABLE } from '../shared/state/table.ts';
import { listenOnLoopback } from './loopback-server.ts';

export interface DynamoDbServer {
  /** Use as `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  readonly port: number;
  readonly tableName: string;
  /** Resets every connection while the tables survive (a regional outage) until `end()`. */
  outage(): Promise<{ end(): Promise<void> }>;
  stop(): Promise<void>;
}

/**
 * DynamoDB served by dynalite (in memory) on 127.0.0.1, with the state table created as CDK creates it.
 * dynalite implements the single-item API (conditional writes, updates, queries) but neither transactions
 * (the state layer needs none) nor TTL expiry (items keep their `expiresAt`; nothing reads expired ones).
 */
export async function startDynamoDbServer(
  options: { port?: number; tableName?: string; region?: string } = {},
): Promise<DynamoDbServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listener = await listenOnLoopback(server, options.port ?? 0);
  // dynalite drops its tables when its server closes, so an outage refuses connections instead.
  let down = false;
  server.prependListener('connection', (socket) => {
    if (down) socket.destroy();
  });
  const tableName = options.tableName ?? 'jira-sync-state';
  const client = new DynamoDBClient({
    endpoint: listener.url,
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client
      .send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: STATE_TABLE.partitionKey, AttributeType: 'S' },
            { AttributeName: STATE_TABLE.sortKey, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
            { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
          ],
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ResourceInUseException)) throw error;
      });
  } catch (error) {
    await listener.stop();
    throw error;
  } finally {
    client.destroy();
  }
  const { url, port } = listener;
  return {
    endpoint: url,
    port,
    tableName,
    outage: async () => {
      down = true;
      server.closeAllConnections();
      return {
        end: async () => {
          down = false;
        },
      };
    },
    stop: listener.stop,
  };
}
