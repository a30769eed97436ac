import { Duration, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { SyncQueue } from '../../cdk/constructs/sync-queue.ts';
import { SyncStateTable } from '../../cdk/constructs/sync-state-table.ts';
import { SyncWorker } from '../../cdk/constructs/sync-worker.ts';
import { WebhookIngest } from '../../cdk/constructs/webhook-ingest.ts';
import { testApp } from './cdk-test-stack.ts';

const bundledConfig = { source: 'test.yaml', document: {} };

function stack(): Stack {
  return new Stack(testApp(), 'S');
}

describe('construct props validation', () => {
  it.each([0, -1, 1.5, 1001])('rejects maxReceiveCount %s', (maxReceiveCount) => {
    expect(() => new SyncQueue(stack(), 'Queue', { maxReceiveCount })).toThrow(
      `S/Queue: maxReceiveCount must be a whole number from 1 to 1000 (got ${maxReceiveCount})`,
    );
  });

  it('rejects a retention period over 14 days', () => {
    expect(() => new SyncQueue(stack(), 'Queue', { retentionPeriod: Duration.days(15) })).toThrow(
      'S/Queue: retentionPeriod must be 1 minute to 14 days (got 1296000 s)',
    );
  });

  it('rejects a queue visibility timeout below 6 x the worker timeout', () => {
    const s = stack();
    const queue = new SyncQueue(s, 'Queue', { visibilityTimeout: Duration.minutes(5) });

    expect(
      () =>
        new SyncWorker(s, 'Worker', {
          queue,
          stateTable: new SyncStateTable(s, 'State'),
          bundledConfig,
          authSecrets: [],
        }),
    ).toThrow(
      'S/Worker: the queue visibility timeout (300 s) must be at least 6 x the worker timeout (60 s), i.e. 360 s',
    );
  });

  it.each([0, 11])('rejects worker batchSize %s (FIFO allows 1 to 10)', (batchSize) => {
    const s = stack();
    const queue = new SyncQueue(s, 'Queue');

    expect(
      () =>
        new SyncWorker(s, 'Worker', {
          queue,
          stateTable: new SyncStateTable(s, 'State'),
          bundledConfig,
          authSecrets: [],
          batchSize,
        }),
    ).toThrow(`S/Worker: batchSize must be 1 to 10 for a FIFO queue (got ${batchSize})`);
  });

  it('rejects worker maxConcurrency below 2', () => {
    const s = stack();
    const queue = new SyncQueue(s, 'Queue');

    expect(
      () =>
        new SyncWorker(s, 'Worker', {
          queue,
          stateTable: new SyncStateTable(s, 'State'),
          bundledConfig,
          authSecrets: [],
          maxConcurrency: 1,
        }),
    ).toThrow('S/Worker: maxConcurrency must be 2 to 1000 (got 1)');
  });

  it('rejects a function timeout over 15 minutes', () => {
    const s = stack();
    const queue = new SyncQueue(s, 'Queue', { visibilityTimeout: Duration.hours(2) });

    expect(
      () =>
        new SyncWorker(s, 'Worker', {
          queue,
          stateTable: new SyncStateTable(s, 'State'),
          bundledConfig,
          authSecrets: [],
          timeout: Duration.minutes(16),
        }),
    ).toThrow('S/Worker/Function: timeout must be 1 to 900 whole seconds (got 960 s)');
  });

  it('rejects a zero stage rate limit', () => {
    const s = stack();
    const queue = new SyncQueue(s, 'Queue');

    expect(
      () =>
        new WebhookIngest(s, 'Ingest', {
          queue: queue.queue,
          bundledConfig,
          webhookSecrets: [],
          throttlingRateLimit: 0,
        }),
    ).toThrow('S/Ingest: throttlingRateLimit must be > 0 (got 0)');
  });
});
