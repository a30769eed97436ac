import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraSite } from '../../shared/sync/jira-site.ts';
import type { ManualClock } from '../../simulator/clock.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { Site } from '../../simulator/site.ts';
import { testClient, testConnection } from '../helpers/jira-client.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import { startTwoSites } from '../simulator/helpers.ts';

// The engine's site adapter against the simulator (every request and answer checked against Atlassian's
// OpenAPI files): what create-intent recovery reads of a freshly raised request, and marking one after.

const SECRET = 'jira-sync/cloud/auth';

describe('JiraSite, create-intent recovery on a service desk', () => {
  let sim: Simulator;
  let cloud: Site;
  let clock: ManualClock;
  let site: JiraSite;

  beforeAll(async () => {
    ({ sim, cloud, clock } = await startTwoSites());
    const connection = testConnection({
      id: 'cloud',
      flavor: 'cloud',
      baseUrl: cloud.baseUrl,
      auth: { type: 'basic', secret: SECRET },
      serviceManagement: true,
    });
    const user = cloud.user('jira-sync');
    const secrets = new MemorySecretStore({
      [SECRET]: JSON.stringify({ email: user.email, apiToken: user.apiTokens[0] }),
    });
    const { client } = testClient(connection, secrets, { clock: { now: Date.now, sleep: async () => {} } });
    site = new JiraSite(connection, client, () => clock.now());
  });
  afterAll(() => sim.stop());

  it('finds a request it raised with creator, created, summary, description and marker; marks another', async () => {
    const raised = await site.createIssue({
      project: 'HELP',
      requestType: 'Get IT help',
      fields: { summary: 'Badge reader offline', description: 'Door 3, since *noon*.' },
      syncProperty: { flow: 'eng-to-help', intent: 'intent-1' },
    });
    const human = cloud.as('alice').createIssue({
      project: 'HELP',
      issueType: '[System] Service request',
      summary: 'by hand',
    });

    const recent = await site.findRecentlyUpdated('HELP', clock.now() - 60_000);

    expect(recent.find((r) => r.id === raised.id)).toEqual({
      id: raised.id,
      key: raised.key,
      syncProperty: { flow: 'eng-to-help', intent: 'intent-1' },
      creator: await site.ownAccount(),
      created: clock.now(),
      summary: 'Badge reader offline',
      description: 'Door 3, since *noon*.',
    });
    const byHand = recent.find((r) => r.key === human.key);
    expect(byHand?.creator).toBe(cloud.user('alice').accountId);
    expect(byHand?.syncProperty).toBeUndefined();

    await site.markIssue(byHand?.id ?? '', { flow: 'eng-to-help', intent: 'intent-2' });
    const marked = (await site.findRecentlyUpdated('HELP', clock.now() - 60_000)).find(
      (r) => r.key === human.key,
    );
    expect(marked?.syncProperty).toEqual({ flow: 'eng-to-help', intent: 'intent-2' });
    sim.assertNoContractViolations();
  });
});
