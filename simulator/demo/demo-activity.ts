import type { LocalLog } from '../../local/local-log.ts';
import { errorFields } from '../../local/local-log.ts';
import type { Site } from '../site.ts';

/**
 * The scripted story `npm start` plays so a new user sees webhooks flow within seconds: a customer raises
 * a request on the Service Management site, an agent adds an internal note and escalates, an engineer
 * comments and resolves on the engineering site, and the agent answers the customer and resolves.
 * When no sync has created the engineering issue after `syncWaitMs`, the engineer files it by hand.
 */

export interface DemoActivityOptions {
  readonly serviceDesk: Site;
  readonly engineering: Site;
  readonly log: LocalLog;
  /** Pause between steps (default 1.5 s). */
  readonly stepMs?: number;
  /** How long to wait for a synced engineering issue before filing one (default 4 s). */
  readonly syncWaitMs?: number;
}

export interface DemoActivity {
  /** Resolves when the story has been played (or was stopped). */
  readonly done: Promise<void>;
  stop(): void;
}

class Stopped extends Error {}

export function startDemoActivity(options: DemoActivityOptions): DemoActivity {
  const { serviceDesk: help, engineering: eng, log } = options;
  const stepMs = options.stepMs ?? 1500;
  const syncWaitMs = options.syncWaitMs ?? 4000;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const pause = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (stopped) return reject(new Stopped());
      const t = setTimeout(() => {
        timers.delete(t);
        if (stopped) reject(new Stopped());
        else resolve();
      }, ms);
      timers.add(t);
    });
  const say = (message: string, fields: Record<string, unknown> = {}) =>
    log('INFO', `demo: ${message}`, { component: 'demo-activity', ...fields });

  const helpProject = [...help.state.projects.values()].find((p) => p.serviceDesk);
  const engProject = [...eng.state.projects.values()].find((p) => p.type === 'software');

  const run = async () => {
    if (!helpProject?.serviceDesk || !engProject) {
      say('skipped: needs a Service Management project and a Software project');
      return;
    }
    await pause(stepMs);
    const request = help.as('carol').raiseRequest({
      serviceDesk: helpProject.serviceDesk.id,
      requestType: helpProject.serviceDesk.requestTypes[0]?.id ?? '',
      summary: 'VPN drops every ten minutes',
      description:
        'Since this morning my VPN disconnects every ~10 minutes. Error: {{ERR_KEEPALIVE_TIMEOUT}}',
    });
    say(`customer Carol raised ${request.key} on ${help.id}`, { site: help.id, issue: request.key });

    await pause(stepMs);
    help
      .as('alice')
      .reply(request.key, 'Looks like the VPN gateway, not the laptop. Escalating to engineering.', {
        internal: true,
      });
    help.as('alice').transition(request.key, 'Escalate');
    say(`agent Alice added an internal note and escalated ${request.key}`, {
      site: help.id,
      issue: request.key,
    });

    const deadline = Date.now() + syncWaitMs;
    let engKey: string | undefined;
    while (!engKey && Date.now() < deadline) {
      await pause(250);
      engKey = [...eng.state.issues.values()].find(
        (i) =>
          i.projectId === engProject.id &&
          (i.summary.includes(request.key) ||
            i.remoteLinks.some((l) => JSON.stringify(l).includes(request.key))),
      )?.key;
    }
    if (engKey) {
      say(`the sync created ${engKey} on ${eng.id}`, { site: eng.id, issue: engKey });
    } else {
      engKey = eng.as('bob').createIssue({
        project: engProject.key,
        summary: `[${request.key}] VPN drops every ten minutes`,
        description: `Escalated from ${request.key} on ${help.id}.`,
        priority: 'High',
      }).key;
      say(`no synced issue yet: engineer Bob filed ${engKey} on ${eng.id} by hand`, {
        site: eng.id,
        issue: engKey,
      });
    }

    await pause(stepMs);
    eng.as('bob').comment(engKey, 'Found it: the gateway keepalive was 600s. Set it to 60s and rolled out.');
    eng.as('bob').transition(engKey, 'Start Progress');
    eng.as('bob').transition(engKey, 'Done');
    say(`engineer Bob commented on and resolved ${engKey}`, { site: eng.id, issue: engKey });

    await pause(stepMs);
    help.as('alice').reply(request.key, 'We fixed a gateway setting; your VPN should stay connected now.');
    // With the sync running, resolving ENG has already resolved the request (status flows back).
    const status = (help.issue(request.key)?.fields as { status?: { name?: string } } | undefined)?.status
      ?.name;
    if (status === 'Resolved') {
      say(
        `the sync had already resolved ${request.key}; agent Alice answered Carol. The demo story is done.`,
        {
          site: help.id,
          issue: request.key,
        },
      );
      return;
    }
    help.as('alice').transition(request.key, 'Resolve this issue');
    say(`agent Alice answered Carol and resolved ${request.key}. The demo story is done.`, {
      site: help.id,
      issue: request.key,
    });
  };

  const done = run().catch((error: unknown) => {
    if (error instanceof Stopped) return;
    log('WARN', 'demo: the scripted activity failed', { component: 'demo-activity', ...errorFields(error) });
  });
  return {
    done,
    stop: () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
