import { type DynamoDbServer, startDynamoDbServer } from '../../local/dynamodb-server.ts';
import { resetAwsClients } from '../../shared/aws/clients.ts';

/** Starts dynalite on 127.0.0.1 and points the shared AWS clients at it; `stop()` restores the environment. */
export async function useLocalDynamo(): Promise<DynamoDbServer> {
  const db = await startDynamoDbServer();
  const names = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
  const saved = Object.fromEntries(names.map((k) => [k, process.env[k]]));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  resetAwsClients();
  return {
    ...db,
    stop: async () => {
      resetAwsClients();
      await db.stop();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
