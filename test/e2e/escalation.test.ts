import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AUTH_SECRETS } from '../../local/demo-secrets.ts';
import { type DemoStack, startDemoStack } from '../../local/demo-stack.ts';
import { checkFlows } from '../../local/flow-checks.ts';
import type { LocalStack } from '../../local/stack.ts';
import type { Site } from '../../simulator/site.ts';
import { waitFor } from '../helpers/wait.ts';

// The product end to end on 127.0.0.1: simulated Jira Cloud + JSM and Jira Data Center send real webhooks
// to the real ingest, SQS (fauxqs) feeds the real worker, which syncs through the real client into the
// other simulated site, with its state in DynamoDB (dynalite). Every Jira request and response is checked
// against Atlassian's OpenAPI files.

// Every log line of the run is captured (at DEBUG) to prove no credential or webhook secret reaches one.
const QUIET = { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_METRICS_DISABLED: 'true' } as const;
const SECRET = 'e2e-webhook-secret';

/** Jira write requests a site answered, for "no echo": the count must stop growing once both sides agree. */
function writes(site: Site): number {
  return Object.entries(site.stats().requests)
    .filter(([operation]) => !/^(get|search|list|find)/i.test(operation))
    .reduce((sum, [, s]) => sum + s.count, 0);
}

describe('escalation from Jira Service Management (Cloud) to Jira Software (Data Center)', () => {
  let demo: DemoStack;
  let stack: LocalStack;
  let help: Site;
  let eng: Site;
  let requestKey: string;
  const saved = Object.fromEntries(Object.keys(QUIET).map((k) => [k, process.env[k]]));
  const output: string[] = [];
  const original = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };

  beforeAll(async () => {
    Object.assign(process.env, QUIET);
    const capture = (chunk: unknown) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    demo = await startDemoStack({ webhookSecret: SECRET, visibilityTimeoutSeconds: 2 });
    ({ stack, help, eng } = demo);
  });

  afterAll(async () => {
    await demo?.stop();
    process.stdout.write = original.out;
    process.stderr.write = original.err;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const engIssues = () => [...eng.state.issues.values()];
  const helpIssue = () => {
    const issue = [...help.state.issues.values()].find((i) => i.key === requestKey);
    if (!issue) throw new Error(`${requestKey} missing`);
    return issue;
  };
  const engIssue = () => {
    const [issue, ...more] = engIssues();
    if (!issue || more.length > 0)
      throw new Error(`expected exactly one ENG issue, found ${engIssues().length}`);
    return issue;
  };
  const statusName = (site: Site, statusId: string) => site.state.statuses.get(statusId)?.name;

  it('leaves a request alone until it is escalated, then creates exactly one Bug at once (no sweep needed)', async () => {
    const request = help.as('carol').raiseRequest({
      serviceDesk: 'HELP',
      requestType: 'Get IT help',
      summary: 'VPN drops every 10 minutes',
      description: 'Since Monday, on *every* network.',
    });
    requestKey = request.key;
    help.as('alice').reply(request.key, 'Customer is on the Enterprise plan', { internal: true });
    help.as('alice').reply(request.key, 'Thanks Carol, we are looking into it.');
    await help.webhooks.settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(engIssues()).toHaveLength(0);

    const escalatedAt = Date.now();
    help.as('alice').transition(request.key, 'Escalate');
    await waitFor(() => engIssues().length > 0, 'the ENG issue');
    const elapsed = Date.now() - escalatedAt;
    await waitFor(() => engIssue().comments.length > 0, 'the public reply on ENG');

    const issue = engIssue();
    expect(issue.summary).toBe('VPN drops every 10 minutes');
    expect(issue.description).toBe('Since Monday, on *every* network.');
    expect(issue.remoteLinks.some((l) => JSON.stringify(l).includes(request.key))).toBe(true);
    // The public reply travels with an attribution line; the internal note stays on the service desk.
    expect(issue.comments.map((c) => c.body)).toEqual([
      expect.stringContaining('Thanks Carol, we are looking into it.'),
    ]);
    expect(JSON.stringify(issue.comments)).not.toContain('Enterprise plan');
    // Behaviour, not a timing assertion: this only guards against a sync that waits for a sweep.
    expect(elapsed).toBeLessThan(15_000);
  });

  it('brings engineering comments back as internal notes and status changes both ways', async () => {
    const key = engIssue().key;
    eng.as('bob').comment(key, 'Root cause: gateway keepalive at 600 s.');
    await waitFor(() => helpIssue().comments.some((c) => c.body.includes('Root cause')), 'the note on HELP');
    const note = helpIssue().comments.find((c) => c.body.includes('Root cause'));
    expect(note).toMatchObject({ internal: true });

    eng.as('bob').transition(key, 'Start Progress');
    eng.as('bob').transition(key, 'Done');
    await waitFor(() => statusName(help, helpIssue().statusId) === 'Resolved', 'HELP resolved');
  });

  it('flows field edits both ways', async () => {
    help.as('alice').edit(requestKey, { summary: 'VPN drops every 10 minutes (all offices)' });
    await waitFor(() => engIssue().summary === 'VPN drops every 10 minutes (all offices)', 'summary on ENG');
    eng.as('bob').edit(engIssue().key, { priority: 'Highest' });
    await waitFor(() => helpIssue().priorityId === engIssue().priorityId, 'priority on HELP');
  });

  it('copies attachments both ways, byte for byte and once', async () => {
    const files = (site: Site, issue: { attachments: readonly string[] }) =>
      issue.attachments.flatMap((id) => {
        const a = site.state.attachments.get(id);
        return a ? [{ filename: a.filename, content: a.content.toString('base64') }] : [];
      });
    // Bytes that are not valid UTF-8 prove the copy is binary-safe through multipart upload and download.
    const trace = Buffer.from([0xff, 0xfe, 0x00, 0x01, ...Buffer.from('stack trace line\n')]);
    help.as('alice').attach(requestKey, { filename: 'trace.bin', content: trace });
    await waitFor(() => engIssue().attachments.length === 1, 'the attachment on ENG');
    expect(files(eng, engIssue())).toEqual([{ filename: 'trace.bin', content: trace.toString('base64') }]);

    eng.as('bob').attach(engIssue().key, { filename: 'fix.patch', content: '--- a\n+++ b\n' });
    await waitFor(() => helpIssue().attachments.length === 2, 'the patch on HELP');
    expect(files(help, helpIssue())).toEqual([
      { filename: 'trace.bin', content: trace.toString('base64') },
      { filename: 'fix.patch', content: Buffer.from('--- a\n+++ b\n').toString('base64') },
    ]);

    await help.webhooks.settle();
    await eng.webhooks.settle();
    await new Promise((r) => setTimeout(r, 500));
    // Once: each side holds the two files and nothing was copied back again.
    expect(files(eng, engIssue()).map((f) => f.filename)).toEqual(['trace.bin', 'fix.patch']);
    expect(helpIssue().attachments).toHaveLength(2);
  });

  it('checks the flows against the sites, naming what is missing', async () => {
    expect(await checkFlows(stack.config)).toEqual({ problems: [], unchecked: [] });
    const [flow] = stack.config.flows;
    if (!flow) throw new Error('the demo config has a flow');
    const broken = {
      ...stack.config,
      flows: [
        { ...flow, target: { ...flow.target, issueType: 'Epic' }, status: { map: { Escalated: 'Triage' } } },
      ],
    };
    const report = await checkFlows(broken);
    expect(report.problems).toEqual([
      expect.stringContaining('no issue type "Epic" in ENG on demo-dc (target)'),
      'flow help-to-eng: status "Triage" is not in ENG\'s workflows on demo-dc (target)',
    ]);
  });

  it('settles: no echo writes, nothing dead-lettered, no contract violations', async () => {
    await help.webhooks.settle();
    await eng.webhooks.settle();
    const before = writes(help) + writes(eng);
    await new Promise((r) => setTimeout(r, 2500));
    await help.webhooks.settle();
    await eng.webhooks.settle();
    expect(writes(help) + writes(eng)).toBe(before);
    expect(engIssues()).toHaveLength(1);

    const sqs = new SQSClient({
      endpoint: stack.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    sqs.destroy();
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    stack.simulator?.simulator.assertNoContractViolations();
  });

  it('never wrote a credential or webhook secret to a log line', () => {
    const text = output.join('');
    // The run logged plenty (DEBUG): the absence below is meaningful.
    expect(text).toContain('"message":"reconciled"');
    const secrets = [
      SECRET,
      ...Object.values(DEMO_AUTH_SECRETS).flatMap((json) =>
        Object.values(JSON.parse(json) as Record<string, string>),
      ),
    ];
    for (const secret of secrets.filter((s) => s.length >= 8 && !s.includes('@'))) {
      expect(text.includes(secret), `secret ${secret.slice(0, 3)}… in the logs`).toBe(false);
    }
  });
});
