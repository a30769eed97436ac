import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../simulator/clock.ts';
import { type Simulator, startSimulator } from '../../simulator/simulator.ts';
import { call, client, type Receiver, startReceiver } from './helpers.ts';

/** The admin HTTP API the local stack and the benchmarks use. */
describe('simulator admin API', () => {
  let sim: Simulator;
  let admin: string;
  let receiver: Receiver;
  const post = (path: string, body: unknown) => call(admin, undefined, 'POST', path, body);

  beforeAll(async () => {
    receiver = await startReceiver();
    sim = await startSimulator({
      clock: new ManualClock(),
      admin: { port: 0 },
      sites: [
        { id: 'cloud', flavour: 'cloud' },
        { id: 'dc', flavour: 'datacenter' },
      ],
    });
    admin = sim.adminUrl ?? '';
  });
  afterAll(async () => {
    sim.assertNoContractViolations();
    await sim.stop();
    await receiver.stop();
  });

  it('lists the sites with their users and projects', async () => {
    const sites = (await call(admin, undefined, 'GET', '/sites')).json;

    expect(sites.map((s: { id: string; flavour: string }) => [s.id, s.flavour])).toEqual([
      ['cloud', 'cloud'],
      ['dc', 'datacenter'],
    ]);
    expect(sites[0].projects).toContainEqual({
      id: '10001',
      key: 'HELP',
      type: 'service_desk',
      serviceDeskId: '1',
    });
    expect(sites[1].users).toContainEqual(expect.objectContaining({ handle: 'bob', username: 'bob' }));
  });

  it('acts as a human and sends the webhooks a registered admin webhook asks for', async () => {
    expect(
      (
        await post('/sites/cloud/webhooks', {
          name: 'bench',
          url: receiver.url,
          events: ['jira:issue_created'],
        })
      ).status,
    ).toBe(201);

    const created = await post('/sites/cloud/act', {
      as: 'alice',
      action: { type: 'createIssue', project: 'ENG', summary: 'From the admin API' },
    });
    const moved = await post('/sites/cloud/act', {
      as: 'alice',
      action: { type: 'transition', issue: created.json.key, to: 'In Progress' },
    });
    await post('/settle', {});
    const issue = await call(admin, undefined, 'GET', `/sites/cloud/issues/${created.json.key}`);

    expect(created.status).toBe(200);
    expect(moved.status).toBe(200);
    expect(issue.json.fields.status.name).toBe('In Progress');
    expect(receiver.requests.map((r) => r.json().webhookEvent)).toEqual(['jira:issue_created']);
  });

  it('passes Jira errors of human actions through', async () => {
    const res = await post('/sites/cloud/act', {
      as: 'victor',
      action: { type: 'createIssue', project: 'ENG', summary: 'no permission' },
    });

    expect(res.status).toBe(403);
  });

  it('sets, merges and clears faults, validating them', async () => {
    const bad = await call(admin, undefined, 'PUT', '/sites/dc/faults', { latency: { ms: -1 } });
    const set = await call(admin, undefined, 'PUT', '/sites/dc/faults', {
      errors: { status: 503, count: 1 },
    });
    const merged = await call(admin, undefined, 'PATCH', '/sites/dc/faults', { searchIndexLagMs: 1000 });
    const failing = await client(sim.site('dc'))('GET', '/rest/api/2/myself');
    const cleared = await call(admin, undefined, 'DELETE', '/sites/dc/faults');

    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].path).toBe('latency.ms');
    expect(set.json).toEqual({ errors: { status: 503, count: 1 } });
    expect(merged.json).toEqual({ errors: { status: 503, count: 1 }, searchIndexLagMs: 1000 });
    expect(failing.status).toBe(503);
    expect(cleared.json).toEqual({});
  });

  it('bulk-seeds issues without webhooks and reports stats', async () => {
    const seeded = await post('/sites/dc/issues/bulk', { as: 'bob', project: 'ENG', count: 500 });
    const stats = (await call(admin, undefined, 'GET', '/sites/dc/stats')).json;

    expect(seeded.status).toBe(201);
    expect(seeded.json).toMatchObject({ created: 500, first: 'ENG-1', last: 'ENG-500' });
    expect(stats.requests['GET /rest/api/2/myself']).toEqual({ count: 1, byStatus: { 503: 1 } });
    expect(stats.faults.errorsInjected).toBe(1);
  });

  it('answers 404 for an unknown site and 400 for an invalid action', async () => {
    expect((await call(admin, undefined, 'GET', '/sites/nope')).status).toBe(404);
    expect((await post('/sites/cloud/act', { as: 'alice', action: { type: 'dance' } })).status).toBe(400);
  });

  it('exposes contract violations', async () => {
    await client(sim.site('cloud'))('GET', '/rest/api/2/search/jql?jql=project%20%3D%20ENG&maxResults=many');

    const violations = (await call(admin, undefined, 'GET', '/sites/cloud/contract-violations')).json;
    await call(admin, undefined, 'DELETE', '/sites/cloud/contract-violations');

    expect(violations).toEqual([
      expect.objectContaining({ direction: 'request', operationId: 'searchAndReconsileIssuesUsingJql' }),
    ]);
    expect(sim.contractViolations()).toEqual([]);
  });
});
