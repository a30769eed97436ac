import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startDemoStack } from '../../local/demo-stack.ts';
import type { LocalStack } from '../../local/stack.ts';
import { Random } from '../../simulator/random.ts';
import type { Site } from '../../simulator/site.ts';

/**
 * A seeded fault campaign over the whole local stack: people work on both sites (requests raised and
 * escalated, edits, comments public and internal, engineering status changes) while the campaign drops,
 * duplicates, reorders and delays webhooks, throws 429 storms, per-issue write limits and 5xx bursts at
 * the worker, kills reconciles right after a write landed in Jira (the answer is lost, as when the worker
 * crashes between steps), and takes SQS and DynamoDB down for a moment. Then the faults stop, a sweep runs (as the
 * schedule would) and the campaign checks that both sides agree per the demo flow, with nothing lost,
 * nothing duplicated and nothing stuck without a reason.
 */

export interface CampaignOptions {
  readonly seed: number;
  /** How long people and faults act before the campaign stops them and checks. */
  readonly durationMs: number;
  /** How long to wait for convergence after the faults stop. */
  readonly settleMs?: number;
  readonly log?: (line: string) => void;
}

export interface CampaignResult {
  readonly seed: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly faults: Readonly<Record<string, number>>;
  readonly requests: number;
  readonly escalated: number;
  readonly deadLettered: readonly string[];
  /** Retries still backing off in the queue at the end (harmless: their issues already converged). */
  readonly backingOff: number;
  readonly problems: readonly string[];
  readonly verdict: 'pass' | 'fail';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A comment's text, or a copy of it (an attribution line, then the text). Exact: "eng 3" is not "eng 30". */
const carries = (commentBody: string, text: string) =>
  commentBody === text || commentBody.endsWith(`\n${text}`);

const count = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

/** Issues of a site by key, and ENG issues by the HELP key their remote link names. */
function engFor(eng: Site, helpKey: string) {
  return [...eng.state.issues.values()].filter((i) =>
    i.remoteLinks.some((l) => JSON.stringify(l).includes(`"${helpKey} (`)),
  );
}

/** Messages waiting to be received, and messages in flight or backing off (invisible). */
async function queueDepth(
  stack: LocalStack,
  sqs: SQSClient,
): Promise<{ visible: number; invisible: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    invisible: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const log = options.log ?? (() => {});
  const random = new Random(options.seed);
  const actions: Record<string, number> = {};
  const faults: Record<string, number> = {};
  const problems: string[] = [];
  const demo = await startDemoStack({
    webhookSecret: 'chaos-secret',
    visibilityTimeoutSeconds: 1,
    maxReceiveCount: 30,
    // Retries come back within seconds, so a campaign's convergence is not a wait for long backoffs.
    maxBackoffSeconds: 8,
    // The simulator's search has no index lag unless a fault adds it: a short grace keeps creates moving.
    createGraceSeconds: 5,
  });
  const { stack, help, eng } = demo;
  const sqs = new SQSClient({
    endpoint: stack.sqsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const requests: string[] = [];
  const escalated = new Set<string>();
  /** Human comments that must travel: body → the site it must appear on. */
  const mustTravel = new Map<string, Site>();
  const mustStay = new Set<string>();
  let serial = 0;

  const people = async () => {
    const roll = random.next();
    const pick = <T>(items: readonly T[]): T | undefined =>
      items[random.int(0, Math.max(0, items.length - 1))];
    if (roll < 0.15 || requests.length === 0) {
      const request = help
        .as('carol')
        .raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary: `Chaos ${serial++}` });
      requests.push(request.key);
      count(actions, 'raise request');
    } else if (roll < 0.3) {
      const key = pick(requests.filter((k) => !escalated.has(k)));
      if (!key) return;
      help.as('alice').transition(key, 'Escalate');
      escalated.add(key);
      count(actions, 'escalate');
    } else if (roll < 0.45) {
      const key = pick(requests);
      if (!key) return;
      help.as('alice').edit(key, { summary: `Chaos edited ${serial++}` });
      count(actions, 'edit request');
    } else if (roll < 0.6) {
      const key = pick(requests);
      if (!key) return;
      const internal = random.chance(0.4);
      const body = `${internal ? 'note' : 'reply'} ${serial++}`;
      help.as('alice').reply(key, body, { internal });
      if (internal) mustStay.add(body);
      else if (escalated.has(key)) mustTravel.set(body, eng);
      count(actions, internal ? 'internal note' : 'public reply');
    } else {
      const issue = pick([...eng.state.issues.values()]);
      if (!issue) return;
      if (random.chance(0.5)) {
        const body = `eng ${serial++}`;
        eng.as('bob').comment(issue.key, body);
        mustTravel.set(body, help);
        count(actions, 'engineering comment');
      } else {
        const status = eng.state.statuses.get(issue.statusId)?.name;
        const next = status === 'To Do' ? 'Start Progress' : status === 'In Progress' ? 'Done' : 'Reopen';
        eng.as('bob').transition(issue.key, next);
        count(actions, `engineering ${next}`);
      }
    }
  };

  const chaos = async () => {
    const roll = random.next();
    const site = random.chance(0.5) ? help : eng;
    if (roll < 0.3) {
      site.faults.update({ webhooks: { drop: 0.3, duplicate: 0.4, reorder: { windowMs: 200 } } });
      count(faults, 'webhooks dropped/duplicated/reordered');
    } else if (roll < 0.4) {
      site.faults.update({ webhooks: { late: { delayMs: 1500, probability: 0.3 } } });
      count(faults, 'late webhooks');
    } else if (roll < 0.55) {
      site.faults.update({ errors: { status: 429, count: random.int(2, 6), retryAfterSeconds: 1 } });
      count(faults, '429 storm');
    } else if (roll < 0.65) {
      // Cloud's burst and per-issue limits; Data Center adds its per-user limit, announced on every answer.
      const dataCenter = site === eng;
      site.faults.update({
        rateLimit: {
          perIssueWrite: true,
          burst: { capacity: 6, refillPerSecond: 15 },
          ...(dataCenter ? { user: { capacity: 10, fillRate: 5, intervalSeconds: 1 } } : {}),
        },
      });
      count(faults, dataCenter ? 'rate limits (Data Center per user)' : 'rate limits');
    } else if (roll < 0.75) {
      site.faults.update({ errors: { status: random.chance(0.5) ? 503 : 500, count: random.int(2, 5) } });
      count(faults, '5xx burst');
    } else if (roll < 0.8) {
      // The next writes land but their answers are lost: the reconcile dies between two steps, exactly
      // as a worker crash after a write would leave it (state not saved, Jira already changed).
      site.faults.update({ lostWriteResponses: { next: random.int(1, 3) } });
      count(faults, 'worker crash after a write');
    } else if (roll < 0.9) {
      const outage = await stack.sqsOutage();
      await sleep(random.int(200, 800));
      await outage.end();
      count(faults, 'SQS outage');
    } else {
      const outage = await stack.dynamoOutage();
      await sleep(random.int(200, 800));
      await outage.end();
      count(faults, 'DynamoDB outage');
    }
  };

  try {
    log(`chaos: seed ${options.seed}, ${options.durationMs} ms of people and faults`);
    const until = Date.now() + options.durationMs;
    while (Date.now() < until) {
      try {
        if (random.chance(0.25)) await chaos();
        else await people();
      } catch (error) {
        // A person's action Jira refuses (a transition not available any more) is part of the day.
        count(actions, `refused: ${error instanceof Error ? error.constructor.name : 'error'}`);
      }
      await sleep(random.int(20, 120));
    }

    log('chaos: faults off; settling, sweeping, converging');
    help.faults.clear();
    eng.faults.clear();
    await help.webhooks.settle();
    await eng.webhooks.settle();
    log('chaos: webhooks settled');
    // Late deliveries still in flight arrive within their delay; the sweep covers dropped ones.
    await sleep(1600);
    await stack.sweep();

    const converged = () =>
      [...escalated].every((key) => {
        const copies = engFor(eng, key);
        const request = [...help.state.issues.values()].find((i) => i.key === key);
        return copies.length === 1 && request !== undefined && copies[0]?.summary === request.summary;
      }) &&
      [...mustTravel].every(([body, site]) =>
        [...site.state.issues.values()].some((i) => i.comments.some((c) => carries(c.body, body))),
      );
    const deadline = Date.now() + (options.settleMs ?? 60_000);
    let swept = Date.now();
    // Converged sides and nothing waiting to be received. Retries still backing off (exponential, up to
    // minutes) are not waited for: the sweep already reconciled their issues, so they will be no-ops.
    while (Date.now() < deadline && !(converged() && (await queueDepth(stack, sqs)).visible === 0)) {
      await sleep(200);
      // Sweep again only while the sides disagree: more sweep events would just lengthen the drain.
      if (!converged() && Date.now() - swept > 5000) {
        if (process.env.CHAOS_DEBUG) {
          const pending = [...escalated].filter(
            (key) =>
              engFor(eng, key).length !== 1 ||
              engFor(eng, key)[0]?.summary !==
                [...help.state.issues.values()].find((i) => i.key === key)?.summary,
          );
          const comments = [...mustTravel]
            .filter(
              ([body, site]) =>
                ![...site.state.issues.values()].some((i) => i.comments.some((c) => carries(c.body, body))),
            )
            .map(([b]) => b);
          log(
            `pending issues ${pending.join(',')} comments ${comments.join(',')} queue ${JSON.stringify(await queueDepth(stack, sqs))}`,
          );
        }
        await stack.sweep();
        swept = Date.now();
      }
    }
    log(`chaos: ${converged() ? 'converged' : 'not converged'}`);
    await sleep(500);

    // Verdict: one engineering issue per escalated request, agreeing with it; comments once each.
    for (const key of escalated) {
      const copies = engFor(eng, key);
      const request = [...help.state.issues.values()].find((i) => i.key === key);
      if (copies.length !== 1) problems.push(`${key}: ${copies.length} engineering issues (expected 1)`);
      const [copy] = copies;
      if (copy && request && copy.summary !== request.summary) {
        problems.push(`${key}: summary "${request.summary}" vs ${copy.key} "${copy.summary}"`);
      }
      if (copy && request) {
        const helpResolved = help.state.statuses.get(request.statusId)?.name === 'Resolved';
        const engDone = eng.state.statuses.get(copy.statusId)?.name === 'Done';
        if (helpResolved !== engDone)
          problems.push(
            `${key} ${helpResolved ? 'Resolved' : 'open'} vs ${copy.key} ${engDone ? 'Done' : 'not done'}`,
          );
      }
    }
    for (const key of requests.filter((k) => !escalated.has(k))) {
      if (engFor(eng, key).length > 0) problems.push(`${key}: never escalated but copied`);
    }
    for (const [body, site] of mustTravel) {
      const found = [...site.state.issues.values()].flatMap((i) =>
        i.comments.filter((c) => carries(c.body, body)),
      );
      if (found.length !== 1)
        problems.push(`comment "${body}": ${found.length} copies on ${site.id} (expected 1)`);
    }
    for (const body of mustStay) {
      if ([...eng.state.issues.values()].some((i) => i.comments.some((c) => carries(c.body, body)))) {
        problems.push(`internal note "${body}" reached engineering`);
      }
    }
    const violations = stack.simulator?.sites.flatMap((s) => s.site.contractViolations()) ?? [];
    for (const v of violations.slice(0, 5)) problems.push(`contract violation: ${JSON.stringify(v)}`);

    // Anything the worker gave up on must be in the DLQ with a reason.
    const deadLettered: string[] = [];
    for (;;) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (!Messages || Messages.length === 0) break;
      for (const m of Messages) {
        const code = m.MessageAttributes?.errorCode?.StringValue;
        if (!code) problems.push(`DLQ message ${m.MessageId} has no reason attached`);
        deadLettered.push(`${code ?? '?'}: ${m.MessageAttributes?.errorMessage?.StringValue ?? ''}`);
      }
    }
    const { invisible } = await queueDepth(stack, sqs);
    const result: CampaignResult = {
      backingOff: invisible,
      seed: options.seed,
      actions,
      faults,
      requests: requests.length,
      escalated: escalated.size,
      deadLettered,
      problems,
      verdict: problems.length === 0 ? 'pass' : 'fail',
    };
    return result;
  } finally {
    sqs.destroy();
    await demo.stop();
  }
}

export function renderCampaign(result: CampaignResult): string {
  const lines = [
    `seed: ${result.seed}`,
    `requests raised: ${result.requests}, escalated: ${result.escalated}`,
    `people: ${Object.entries(result.actions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `faults injected and survived: ${
      Object.entries(result.faults)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    `dead-lettered: ${result.deadLettered.length === 0 ? 'none' : result.deadLettered.join('; ')}`,
    `retries still backing off: ${result.backingOff}`,
    `verdict: ${result.verdict.toUpperCase()}`,
    ...result.problems.map((p) => `  - ${p}`),
  ];
  if (result.verdict === 'fail') lines.push(`replay with: npm run chaos -- --seed ${result.seed}`);
  return lines.join('\n');
}
