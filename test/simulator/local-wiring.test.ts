import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBanner } from '../../local/banner.ts';
import { DEMO_AUTH_SECRETS } from '../../local/demo-secrets.ts';
import { silentLog } from '../../local/local-log.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { type SyncEvent, syncEventSchema } from '../../shared/webhook/sync-event.ts';
import { waitFor } from '../helpers/wait.ts';
import { call } from './helpers.ts';

const DEMO_CONFIG = fileURLToPath(new URL('../../local/demo.config.yaml', import.meta.url));
const SECRET = 'wiring-test-secret';
const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } as const;

/**
 * `npm start`'s wiring: the demo configuration's simulated sites send real webhooks to the local stack,
 * where the real ingest verifies them (HMAC for demo-cloud, URL token for demo-dc) and the worker receives
 * the events, and the demo credentials of local/demo-secrets.ts work against the sites.
 */
describe('npm start: simulator wired to the local stack', () => {
  let stateDir: string;
  let stack: LocalStack;
  const events: SyncEvent[] = [];
  const saved = Object.fromEntries(Object.keys(QUIET).map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    Object.assign(process.env, QUIET);
    stateDir = await mkdtemp(join(tmpdir(), 'jira-sync-sim-'));
    stack = await startLocalStack({
      configPath: DEMO_CONFIG,
      port: 0,
      stateDir,
      log: silentLog,
      secretsSeed: {
        ifMissing: DEMO_AUTH_SECRETS,
        always: { 'jira-sync/demo-cloud/webhook': SECRET, 'jira-sync/demo-dc/webhook': SECRET },
      },
      // The real ingest verifies and normalises; the worker only records what reached the queue.
      handlers: {
        worker: async (event) => {
          for (const record of event.Records) events.push(syncEventSchema.parse(JSON.parse(record.body)));
          return { batchItemFailures: [] };
        },
      },
      simulator: { ephemeralPorts: true, adminPort: 0, demoActivity: { stepMs: 20, syncWaitMs: 50 } },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(stateDir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('plays the demo story and every webhook reaches the worker through the real ingest', async () => {
    const sim = stack.simulator;
    if (!sim) throw new Error('no simulator');
    await sim.activity?.done;
    await sim.simulator.settle();
    const deliveries = sim.sites.flatMap((s) => s.site.webhooks.deliveries());

    expect(deliveries.length).toBeGreaterThan(8);
    expect(deliveries.filter((d) => d.status !== 202)).toEqual([]);
    expect(new Set(deliveries.map((d) => d.url.split('?')[0]))).toEqual(
      new Set([stack.webhookUrl('demo-cloud'), stack.webhookUrl('demo-dc')]),
    );
    await waitFor(
      () => events.some((e) => e.connectionId === 'demo-dc' && e.kind === 'comment_created'),
      'the demo-dc comment',
    );
    expect(events.filter((e) => e.connectionId === 'demo-cloud').map((e) => e.issue.key)).toContain('HELP-1');
    sim.simulator.assertNoContractViolations();
  });

  it('drops the integration account’s own changes at ingest (loop prevention works end to end)', async () => {
    const sim = stack.simulator;
    if (!sim) throw new Error('no simulator');
    const cloud = sim.sites.find((s) => s.connectionId === 'demo-cloud')?.site;
    if (!cloud) throw new Error('no demo-cloud');
    const before = events.length;
    cloud.as('jira-sync').comment('HELP-1', 'Written by the sync itself');
    await sim.simulator.settle();
    cloud.as('alice').comment('HELP-1', 'Written by a human');
    await sim.simulator.settle();
    await waitFor(() => events.length > before, 'the human comment');

    expect(events.slice(before).map((e) => e.actor?.accountId)).not.toContain('5b10ac8d82e05b22cc7d4ef5');
  });

  it('accepts the demo credentials of local/demo-secrets.ts', async () => {
    const sites = stack.simulator?.sites ?? [];
    for (const s of sites) {
      const auth =
        s.credentials?.kind === 'basic'
          ? `Basic ${Buffer.from(`${s.credentials.user}:${s.credentials.secret}`).toString('base64')}`
          : `Bearer ${s.credentials?.kind === 'pat' ? s.credentials.token : ''}`;
      const me = await call(s.site.baseUrl, auth, 'GET', '/rest/api/2/myself');
      expect(me.status, s.connectionId).toBe(200);
      expect(me.json.accountId ?? me.json.name).toBe(
        s.connectionId === 'demo-cloud' ? '5b10ac8d82e05b22cc7d4ef5' : 'jira-sync',
      );
    }
  });

  it('prints the simulated sites and curl commands with the demo credentials in the banner', () => {
    const sim = stack.simulator;
    if (!sim) throw new Error('no simulator');
    const text = renderBanner({
      ...stack,
      connections: stack.config.connections,
      samples: new Map(),
      cwd: process.cwd(),
      jiraSimulator: {
        sites: sim.sites.map((s) => ({
          connectionId: s.connectionId,
          flavour: s.site.flavour,
          baseUrl: s.site.baseUrl,
          projectKey: s.projectKey,
          serviceManagement: s.projectKey === 'HELP',
          credentials: s.credentials,
        })),
        adminUrl: sim.simulator.adminUrl,
        gatewayUrl: sim.simulator.gatewayUrl,
        demoActivity: true,
      },
    });

    expect(text).toContain(`Jira Cloud + Service Management (project HELP)`);
    expect(text).toContain(
      `curl -u jira-sync@example.com:local-demo-api-token ${sim.sites[0]?.site.baseUrl}/rest/api/2/myself`,
    );
    expect(text).toContain("curl -H 'Authorization: Bearer local-demo-personal-access-token'");
    expect(text).toContain('--no-demo-activity');
  });
});
