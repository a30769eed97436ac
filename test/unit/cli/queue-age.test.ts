import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { CommandSender } from '../../../shared/cli/cloudformation.ts';
import { runCli } from '../../../shared/cli/main.ts';
import { memoryOutput } from '../../../shared/cli/output.ts';
import type { QueuePort } from '../../../shared/cli/queue.ts';
import {
  cloudWatchOldestMessage,
  defaultQueueAgePort,
  fauxqsInspectionUrl,
  fauxqsOldestMessage,
  type OldestMessage,
  oldestFromInspection,
  oldestFromMetricData,
  oldestMessageQuery,
  QueueAgeError,
  type QueueAgePort,
  queueNameOf,
  readOldestMessage,
} from '../../../shared/cli/queue-age.ts';
import type { StatePort } from '../../../shared/cli/state.ts';
import type { StatusReport } from '../../../shared/cli/status.ts';
import type { Deployment } from '../../../shared/cli/target.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const AWS_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jira-sync-events.fifo';
const LOCAL_QUEUE = 'http://127.0.0.1:45123/000000000000/jira-sync-events.fifo';
const stack = { kind: 'stack', region: 'eu-west-1', queueUrl: AWS_QUEUE } as const;
const local = { kind: 'local', region: 'us-east-1', queueUrl: LOCAL_QUEUE } as const;

/** A CloudWatch client that records what it was sent and answers (or fails) as told. */
function fakeCloudWatch(answer: unknown | (() => Promise<unknown>)) {
  const sent: unknown[] = [];
  const client: CommandSender = {
    async send(command) {
      sent.push(command);
      return typeof answer === 'function' ? (answer as () => Promise<unknown>)() : answer;
    },
  };
  return { client, sent };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const message = (sentTimestamp: number) => ({
  messageId: `m-${sentTimestamp}`,
  body: '{"secret":"not read"}',
  sentTimestamp,
  approximateReceiveCount: 1,
  messageGroupId: 'g',
});

describe('queue names and the fauxqs inspection URL', () => {
  it('takes the last path segment of the queue URL', () => {
    expect(queueNameOf(AWS_QUEUE)).toBe('jira-sync-events.fifo');
    expect(queueNameOf(LOCAL_QUEUE)).toBe('jira-sync-events.fifo');
    expect(fauxqsInspectionUrl(LOCAL_QUEUE)).toBe(
      'http://127.0.0.1:45123/_fauxqs/queues/jira-sync-events.fifo',
    );
  });

  it('refuses a URL without a queue name', () => {
    expect(() => queueNameOf('http://127.0.0.1:45123/')).toThrow(QueueAgeError);
    expect(() => queueNameOf('not a url')).toThrow(/not a queue URL: not a url/);
  });
});

describe('oldest message age from fauxqs', () => {
  it('is the oldest sentTimestamp over ready, delayed and in-flight messages', () => {
    const inspection = (ready: number[], delayed: number[], inflight: number[]) => ({
      name: 'jira-sync-events.fifo',
      url: LOCAL_QUEUE,
      arn: 'arn:aws:sqs:us-east-1:000000000000:jira-sync-events.fifo',
      attributes: { VisibilityTimeout: '30' },
      messages: {
        ready: ready.map(message),
        delayed: delayed.map(message),
        inflight: inflight.map((t) => ({
          message: message(t),
          receiptHandle: 'rh',
          visibilityDeadline: NOW,
        })),
      },
    });

    expect(oldestFromInspection(inspection([NOW - 5_000], [NOW - 1_000], [NOW - 130_400]), NOW)).toEqual({
      ageSeconds: 130,
      source: 'fauxqs',
    });
    expect(oldestFromInspection(inspection([NOW - 5_000], [NOW - 61_000], []), NOW)).toEqual({
      ageSeconds: 61,
      source: 'fauxqs',
    });
    expect(oldestFromInspection(inspection([NOW - 9_999], [], []), NOW)).toEqual({
      ageSeconds: 9,
      source: 'fauxqs',
    });
    // A message stamped a little in the future (clock step) is age 0, not negative.
    expect(oldestFromInspection(inspection([NOW + 2_000], [], []), NOW)).toMatchObject({ ageSeconds: 0 });
  });

  it('has no age for an empty queue', () => {
    expect(oldestFromInspection({ messages: { ready: [], delayed: [], inflight: [] } }, NOW)).toEqual({
      ageSeconds: null,
      source: 'fauxqs',
      reason: 'empty',
    });
  });

  it('names what is wrong with an unexpected answer', () => {
    const bad = (body: unknown) => () => oldestFromInspection(body, NOW);

    expect(
      bad({ messages: { ready: [{ sentTimestamp: '1700000000000' }], delayed: [], inflight: [] } }),
    ).toThrow(/unexpected fauxqs inspection answer \(messages\.ready\.0\.sentTimestamp: .*number/);
    expect(bad({ messages: { ready: [], delayed: [] } })).toThrow(/\(messages\.inflight: /);
    expect(bad({ error: "Queue 'x' not found" })).toThrow(/\(messages: /);
    expect(bad('<html>')).toThrow(/\(\(root\): /);
    expect(bad(null)).toThrow(QueueAgeError);
  });

  it('reads the inspection endpoint on the queue URL origin, and says why when it cannot', async () => {
    const asked: string[] = [];
    const answering =
      (response: () => Response): typeof fetch =>
      async (input) => {
        asked.push(String(input));
        return response();
      };
    const body = { messages: { ready: [message(NOW - 3_000)], delayed: [], inflight: [] } };

    const ok = await fauxqsOldestMessage(
      LOCAL_QUEUE,
      answering(() => Response.json(body)),
      () => NOW,
    );
    const missing = fauxqsOldestMessage(
      LOCAL_QUEUE,
      answering(() => Response.json({ error: 'not found' }, { status: 404 })),
      () => NOW,
    );
    const html = fauxqsOldestMessage(
      LOCAL_QUEUE,
      answering(() => new Response('<html>', { status: 200 })),
      () => NOW,
    );
    const refused = fauxqsOldestMessage(
      LOCAL_QUEUE,
      async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      },
      () => NOW,
    );

    expect(ok).toEqual({ ageSeconds: 3, source: 'fauxqs' });
    expect(asked[0]).toBe('http://127.0.0.1:45123/_fauxqs/queues/jira-sync-events.fifo');
    await expect(missing).rejects.toThrow('fauxqs has no queue jira-sync-events.fifo');
    await expect(html).rejects.toThrow('fauxqs inspection answered something other than JSON');
    await expect(refused).rejects.toThrow('fauxqs at http://127.0.0.1:45123 did not answer (ECONNREFUSED)');
    await expect(refused).rejects.toBeInstanceOf(QueueAgeError);
  });
});

describe('oldest message age from CloudWatch', () => {
  it('asks for ApproximateAgeOfOldestMessage of the queue: Maximum per minute over the last 15 minutes', () => {
    const query = oldestMessageQuery('jira-sync-events.fifo', NOW);

    expect(query.StartTime).toEqual(new Date(NOW - 15 * 60_000));
    expect(query.EndTime).toEqual(new Date(NOW));
    expect(query.MetricDataQueries).toEqual([
      {
        Id: 'oldest',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateAgeOfOldestMessage',
            Dimensions: [{ Name: 'QueueName', Value: 'jira-sync-events.fifo' }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      },
    ]);
  });

  it('reports the newest datapoint (not the largest), with its time', async () => {
    const { client, sent } = fakeCloudWatch({
      MetricDataResults: [
        {
          Id: 'oldest',
          StatusCode: 'Complete',
          // Deliberately not newest first: the order is not relied upon.
          Timestamps: [new Date(NOW - 240_000), new Date(NOW - 120_000), new Date(NOW - 180_000)],
          Values: [900, 130, 600],
        },
      ],
    });

    const oldest = await cloudWatchOldestMessage(AWS_QUEUE, client, NOW);

    expect(oldest).toEqual({
      ageSeconds: 130,
      source: 'cloudwatch',
      asOf: new Date(NOW - 120_000).toISOString(),
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(GetMetricDataCommand);
    expect((sent[0] as GetMetricDataCommand).input).toEqual(oldestMessageQuery('jira-sync-events.fifo', NOW));
  });

  it('says there is no datapoint when CloudWatch has none (idle queue, metric not published yet)', async () => {
    const empty = fakeCloudWatch({
      MetricDataResults: [{ Id: 'oldest', StatusCode: 'Complete', Timestamps: [], Values: [] }],
    });
    const nothing = fakeCloudWatch({});

    expect(await cloudWatchOldestMessage(AWS_QUEUE, empty.client, NOW)).toEqual({
      ageSeconds: null,
      source: 'cloudwatch',
      reason: 'no-datapoint',
    });
    expect(oldestFromMetricData({ MetricDataResults: [] })).toMatchObject({ reason: 'no-datapoint' });
    expect(await cloudWatchOldestMessage(AWS_QUEUE, nothing.client, NOW)).toMatchObject({
      reason: 'no-datapoint',
    });
  });

  it('treats a refused query as a failure, not as an idle queue', () => {
    expect(() =>
      oldestFromMetricData({
        MetricDataResults: [
          { Id: 'oldest', StatusCode: 'Forbidden', Messages: [{ Code: 'Forbidden', Value: 'not allowed' }] },
        ],
      }),
    ).toThrow('CloudWatch answered Forbidden: not allowed');
  });

  it('turns an AWS error into the reason shown instead of the age, keeping it as the cause', async () => {
    const denied = awsError(
      'AccessDenied',
      'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudwatch:GetMetricData\nmore',
    );
    const { client } = fakeCloudWatch(async () => {
      throw denied;
    });
    const port: QueueAgePort = { oldestMessage: () => cloudWatchOldestMessage(AWS_QUEUE, client, NOW) };

    const failure = await cloudWatchOldestMessage(AWS_QUEUE, client, NOW).catch((e: unknown) => e);
    const read = await readOldestMessage(port, stack);

    expect(failure).toBeInstanceOf(QueueAgeError);
    expect((failure as QueueAgeError).cause).toBe(denied);
    expect(read).toEqual({
      unavailable:
        'AccessDenied: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudwatch:GetMetricData',
    });
  });

  it('never fails on an unexpected error either', async () => {
    const read = await readOldestMessage(
      {
        oldestMessage: async () => {
          throw new TypeError('boom');
        },
      },
      stack,
    );

    expect(read).toEqual({ unavailable: 'TypeError: boom' });
  });
});

describe('oldest message age through the real SDK client', () => {
  it('sends GetMetricData and reads the answer and the error as CloudWatch words them (a local stand-in)', async () => {
    const requests: { target: string | undefined; body: unknown }[] = [];
    let denied = false;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        requests.push({ target: req.headers['x-amz-target'] as string | undefined, body: JSON.parse(body) });
        res.setHeader('content-type', 'application/x-amz-json-1.0');
        if (denied) {
          res.statusCode = 400;
          res.setHeader('x-amzn-query-error', 'AccessDenied;Sender');
          res.end(
            JSON.stringify({ __type: 'com.amazonaws.cloudwatch#AccessDenied', message: 'not authorized' }),
          );
          return;
        }
        res.end(
          JSON.stringify({
            MetricDataResults: [
              {
                Id: 'oldest',
                StatusCode: 'Complete',
                Timestamps: [(NOW - 120_000) / 1000, (NOW - 180_000) / 1000],
                Values: [75, 400],
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new CloudWatchClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const port = defaultQueueAgePort({
      now: () => NOW,
      cloudWatch: () => client as unknown as CommandSender,
    });
    try {
      const measured = await readOldestMessage(port, stack);
      denied = true;
      const refused = await readOldestMessage(port, stack);

      expect(measured).toEqual({
        ageSeconds: 75,
        source: 'cloudwatch',
        asOf: new Date(NOW - 120_000).toISOString(),
      });
      expect(refused).toEqual({ unavailable: 'AccessDenied: not authorized' });
      expect(requests[0]).toMatchObject({
        target: 'GraniteServiceVersion20100801.GetMetricData',
        body: {
          StartTime: (NOW - 15 * 60_000) / 1000,
          EndTime: NOW / 1000,
          MetricDataQueries: [
            {
              MetricStat: {
                Metric: { Dimensions: [{ Name: 'QueueName', Value: 'jira-sync-events.fifo' }] },
                Period: 60,
                Stat: 'Maximum',
              },
            },
          ],
        },
      });
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the default port', () => {
  it('reads fauxqs for the local stack and never CloudWatch (its placeholder credentials must not reach AWS)', async () => {
    const regions: string[] = [];
    const port = defaultQueueAgePort({
      now: () => NOW,
      fetch: async () =>
        Response.json({ messages: { ready: [message(NOW - 2_000)], delayed: [], inflight: [] } }),
      cloudWatch: (region) => {
        regions.push(region);
        return fakeCloudWatch({}).client;
      },
    });

    expect(await port.oldestMessage(local)).toEqual({ ageSeconds: 2, source: 'fauxqs' });
    expect(regions).toEqual([]);
  });

  it('reads CloudWatch in the stack region for a deployed stack, never fetching', async () => {
    const regions: string[] = [];
    const port = defaultQueueAgePort({
      now: () => NOW,
      fetch: async () => {
        throw new Error('must not fetch');
      },
      cloudWatch: (region) => {
        regions.push(region);
        return fakeCloudWatch({
          MetricDataResults: [{ Id: 'oldest', Timestamps: [new Date(NOW - 60_000)], Values: [42] }],
        }).client;
      },
    });

    expect(await port.oldestMessage(stack)).toMatchObject({ ageSeconds: 42, source: 'cloudwatch' });
    expect(regions).toEqual(['eu-west-1']);
  });
});

describe('status with the oldest message age', () => {
  const deployment: Deployment = {
    kind: 'stack',
    name: 'jira-sync',
    region: 'eu-west-1',
    queueUrl: AWS_QUEUE,
    dlqUrl: AWS_QUEUE.replace('events', 'events-dlq'),
    stateTable: 'state',
    apiUrl: undefined,
    webhookUrl: () => undefined,
  };
  const queue: QueuePort = {
    depth: async (url) =>
      url === AWS_QUEUE ? { visible: 3, inFlight: 1, delayed: 0 } : { visible: 0, inFlight: 0, delayed: 0 },
    attributes: async () => ({}),
    receive: async () => [],
    send: async () => undefined,
    enqueue: async () => undefined,
    delete: async () => undefined,
    release: async () => undefined,
  };
  const state = (): StatePort => ({
    conflicts: async () => ({ count: 0, recent: [] }),
    sweepMark: async () => undefined,
    getBackfill: async () => undefined,
    putBackfill: async () => undefined,
    deleteBackfill: async () => undefined,
    links: async () => new Map(),
  });

  async function status(oldest: () => Promise<OldestMessage>, json = false) {
    const out = memoryOutput();
    const code = await runCli(
      ['status', '--stack', 'jira-sync', '--region', 'eu-west-1', ...(json ? ['--json'] : [])],
      {
        output: () => out,
        env: {},
        cwd: '/nonexistent',
        resolveTarget: async () => deployment,
        queue,
        state,
        queueAge: { oldestMessage: oldest },
        now: () => NOW,
      },
    );
    return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
  }

  it('shows the age with its CloudWatch time, and puts it in the JSON report', async () => {
    const measured = async (): Promise<OldestMessage> => ({
      ageSeconds: 130,
      source: 'cloudwatch',
      asOf: new Date(NOW - 180_000).toISOString(),
    });

    const text = await status(measured);
    const json = await status(measured, true);

    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'queue         3 waiting, 1 in flight, 0 delayed, oldest 2 min (CloudWatch, as of 3 min ago)',
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).queue).toEqual({
      visible: 3,
      inFlight: 1,
      delayed: 0,
      oldestMessage: { ageSeconds: 130, source: 'cloudwatch', asOf: '2026-03-01T11:57:00.000Z' },
    } satisfies StatusReport['queue']);
  });

  it('says when there is nothing to measure', async () => {
    const idle = await status(async () => ({
      ageSeconds: null,
      source: 'cloudwatch',
      reason: 'no-datapoint',
    }));
    const empty = await status(async () => ({ ageSeconds: null, source: 'fauxqs', reason: 'empty' }));

    expect(idle.stdout).toContain(
      '0 delayed, oldest: no CloudWatch datapoint in the last 15 min (queue idle, or the metric not published yet)',
    );
    expect(empty.stdout).toContain('0 delayed, oldest: none (no messages)');
  });

  it('still succeeds when the age cannot be read, and says why', async () => {
    const denied = async (): Promise<OldestMessage> => {
      throw new QueueAgeError('AccessDenied: not authorized to perform: cloudwatch:GetMetricData');
    };

    const text = await status(denied);
    const json = await status(denied, true);

    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      '0 delayed, oldest: unknown (AccessDenied: not authorized to perform: cloudwatch:GetMetricData)',
    );
    expect(text.stdout).toContain('dead letters  0');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).queue.oldestMessage).toEqual({
      unavailable: 'AccessDenied: not authorized to perform: cloudwatch:GetMetricData',
    });
  });
});

describe('bundle size', () => {
  it('keeps the CloudWatch client out of every Lambda bundle (the CLI alone reads the metric)', async () => {
    const result = await build({
      entryPoints: [
        'functions/webhook-ingest/handler.ts',
        'functions/sync-worker/handler.ts',
        'functions/sweep/handler.ts',
        'functions/webhook-registrar/handler.ts',
        'functions/oauth/handler.ts',
      ],
      bundle: true,
      write: false,
      outdir: 'out',
      platform: 'node',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });

    const inputs = Object.keys(result.metafile.inputs);

    // The bundles were really built: the worker and the SQS client are in.
    expect(inputs).toContain('functions/sync-worker/handler.ts');
    expect(inputs.some((f) => f.includes('node_modules/@aws-sdk/client-sqs/'))).toBe(true);
    expect(inputs.filter((f) => /client-cloudwatch|shared\/cli\//.test(f))).toEqual([]);
  });
});
