import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbServer } from '../../local/dynamodb-server.ts';
import { dynamoDocumentClient } from '../../shared/aws/clients.ts';
import { CorruptStateItem, LinkBusy, LinkConflict, StateUnavailable } from '../../shared/state/errors.ts';
import { LinkStore } from '../../shared/state/link-store.ts';
import { keys } from '../../shared/state/table.ts';
import { useLocalDynamo } from '../helpers/dynamo.ts';

const source = { connectionId: 'demo-cloud', issueId: '10002', key: 'HELP-2' };
const target = { connectionId: 'demo-dc', issueId: '20001', key: 'ENG-1' };
const A = { owner: 'worker-a', ms: 60_000 };
const B = { owner: 'worker-b', ms: 60_000 };

describe('link store on DynamoDB (dynalite)', () => {
  let db: DynamoDbServer;
  let clock = 1_700_000_000_000;
  let store: LinkStore;

  beforeAll(async () => {
    db = await useLocalDynamo();
    store = new LinkStore({ tableName: db.tableName, now: () => clock });
  });

  afterAll(async () => {
    await db.stop();
  });

  it('creates the link on first acquire, with an empty base', async () => {
    const link = await store.acquire('f1', source, A);
    expect(link).toMatchObject({
      flowId: 'f1',
      source,
      base: {},
      comments: [],
      version: 0,
      lease: { owner: 'worker-a' },
    });
    expect(link.target).toBeUndefined();
  });

  it('refuses a second worker while the lease is held, and lets the holder re-acquire', async () => {
    await expect(store.acquire('f1', source, B)).rejects.toBeInstanceOf(LinkBusy);
    await expect(store.acquire('f1', source, A)).resolves.toMatchObject({ lease: { owner: 'worker-a' } });
  });

  it('saves changes conditionally on the version and releases the lease', async () => {
    const link = await store.acquire('f1', source, A);
    const saved1 = await store.save(link, { target, base: { summary: { source: 'h1', target: 'h1' } } }, A, {
      release: true,
    });
    expect(saved1.version).toBe(link.version + 1);
    expect(await store.get('f1', source.issueId)).toMatchObject({ target, version: saved1.version });
    expect((await store.get('f1', source.issueId))?.lease).toBeUndefined();
  });

  it('refuses a save from a stale read (another reconcile saved in between)', async () => {
    const stale = await store.acquire('f1', source, A);
    await store.save(stale, { base: { summary: { source: 'h2', target: 'h2' } } }, A);
    await expect(store.save(stale, { base: {} }, A)).rejects.toBeInstanceOf(LinkConflict);
    await store.release(stale, A);
  });

  it('refuses a save after the lease was lost to another worker', async () => {
    const held = await store.acquire('f1', source, A);
    clock += 61_000; // A's lease expires (a crashed or stalled worker)
    const taken = await store.acquire('f1', source, B);
    expect(taken.lease?.owner).toBe('worker-b');
    await expect(store.save(held, { base: {} }, A)).rejects.toBeInstanceOf(LinkConflict);
    await store.release(taken, B);
  });

  it('keeps a create intent until it is cleared', async () => {
    const link = await store.acquire('f2', { ...source, issueId: '10003' }, A);
    const withIntent = await store.save(link, { intent: { id: 'intent-1', startedAt: clock } }, A);
    expect((await store.get('f2', '10003'))?.intent).toEqual({ id: 'intent-1', startedAt: clock });
    await store.save(withIntent, { target, clearIntent: true }, A, { release: true });
    const done = await store.get('f2', '10003');
    expect(done?.intent).toBeUndefined();
    expect(done?.target).toEqual(target);
  });

  it('finds the source of a target issue through its pointer', async () => {
    await store.pointTarget('f1', target, source);
    await store.pointTarget('f1', target, source); // idempotent
    expect(await store.sourceOfTarget('f1', target.issueId)).toEqual(source);
    expect(await store.sourceOfTarget('other-flow', target.issueId)).toBeUndefined();
    await store.unpointTarget('f1', target.issueId);
    expect(await store.sourceOfTarget('f1', target.issueId)).toBeUndefined();
  });

  it('refuses an item that is not a link record rather than guessing', async () => {
    await dynamoDocumentClient().send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.link('f3', '1'), flowId: 'f3', version: 'x' },
      }),
    );
    await expect(store.get('f3', '1')).rejects.toBeInstanceOf(CorruptStateItem);
  });

  it('reports DynamoDB being unreachable as retryable', async () => {
    const down = new LinkStore({ tableName: 'no-such-table', now: () => clock });
    const error = await down.get('f1', source.issueId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateUnavailable);
    expect((error as StateUnavailable).retryable).toBe(true);
  });
});
