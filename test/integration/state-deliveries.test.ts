import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbServer } from '../../local/dynamodb-server.ts';
import { DeliveryLog } from '../../shared/state/deliveries.ts';
import { useLocalDynamo } from '../helpers/dynamo.ts';

describe('delivery log on DynamoDB (dynalite)', () => {
  let db: DynamoDbServer;
  let now = 1_700_000_000_000;

  beforeAll(async () => {
    db = await useLocalDynamo();
  });
  afterAll(async () => {
    await db.stop();
  });

  it('remembers a reconciled delivery until its TTL, beyond SQS deduplication window', async () => {
    const log = new DeliveryLog(db.tableName, 3600, () => now);
    expect(await log.seen('d1')).toBe(false);
    await log.remember('d1');
    expect(await log.seen('d1')).toBe(true);
    now += 30 * 60_000; // a Jira retry 30 minutes late
    expect(await log.seen('d1')).toBe(true);
    now += 31 * 60_000;
    expect(await log.seen('d1')).toBe(false);
    expect(await log.seen('d2')).toBe(false);
  });
});
