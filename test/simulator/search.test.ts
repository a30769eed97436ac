import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../simulator/clock.ts';
import { JiraError } from '../../simulator/errors.ts';
import { compileJql, parseJql } from '../../simulator/jql.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { Site } from '../../simulator/site.ts';
import { client, q, startTwoSites } from './helpers.ts';

describe('JQL', () => {
  it('parses the subset with precedence, lists, functions and ORDER BY', () => {
    expect(
      parseJql(
        'project = ENG AND (status IN ("To Do", 3) OR assignee = currentUser()) ORDER BY updated DESC, key',
      ),
    ).toEqual({
      where: {
        kind: 'and',
        parts: [
          {
            kind: 'clause',
            field: 'project',
            op: '=',
            values: [{ kind: 'literal', text: 'ENG', quoted: false }],
          },
          {
            kind: 'or',
            parts: [
              {
                kind: 'clause',
                field: 'status',
                op: 'IN',
                values: [
                  { kind: 'literal', text: 'To Do', quoted: true },
                  { kind: 'literal', text: '3', quoted: false },
                ],
              },
              {
                kind: 'clause',
                field: 'assignee',
                op: '=',
                values: [{ kind: 'function', name: 'currentuser' }],
              },
            ],
          },
        ],
      },
      orderBy: [
        { field: 'updated', direction: 'DESC' },
        { field: 'key', direction: 'ASC' },
      ],
    });
  });

  it.each([
    ['summary ~ vpn', "Field 'summary' does not exist"],
    ['issue.property[jira-sync].peer = "HELP-1"', 'issue.property'],
    ['project = ', 'Expecting a value'],
    ['updated >= "yesterday"', 'Date value'],
    ['project = NOPE', "The value 'NOPE' does not exist for the field 'project'"],
  ])('refuses %s', async (jql, message) => {
    const { sim, cloud } = await startTwoSites();
    try {
      expect(() => compileJql(jql, { state: cloud.state, now: 0 })).toThrow(JiraError);
      expect(() => compileJql(jql, { state: cloud.state, now: 0 })).toThrow(message);
    } finally {
      await sim.stop();
    }
  });
});

describe('search', () => {
  let sim: Simulator;
  let cloud: Site;
  let dc: Site;
  let clock: ManualClock;
  const keys: Record<string, string[]> = { cloud: [], dc: [] };

  beforeAll(async () => {
    ({ sim, cloud, dc, clock } = await startTwoSites());
    for (const site of [cloud, dc]) {
      for (let i = 1; i <= 7; i++) {
        keys[site.id]?.push(
          site
            .as('bob')
            .createIssue({ project: 'ENG', issueType: i % 2 ? 'Task' : 'Bug', summary: `issue ${i}` }).key,
        );
        await clock.advance(60_000);
      }
      site.as('bob').transition('ENG-2', 'In Progress');
    }
  });
  afterAll(async () => {
    sim.assertNoContractViolations();
    await sim.stop();
  });

  it('pages Cloud results with nextPageToken until isLast', async () => {
    const api = client(cloud);
    const jql = 'project = ENG ORDER BY key ASC';
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = (
        await api(
          'GET',
          `/rest/api/2/search/jql?jql=${q(jql)}&maxResults=3&fields=summary${token ? `&nextPageToken=${q(token)}` : ''}`,
        )
      ).json;
      seen.push(...res.issues.map((i: { key: string }) => i.key));
      token = res.nextPageToken;
      pages++;
      if (token === undefined) expect(res.isLast).toBe(true);
    } while (token);

    expect(seen).toEqual(keys.cloud);
    expect(pages).toBe(3);
  });

  it('pages Data Center results with startAt and total', async () => {
    const res = (
      await client(dc)(
        'GET',
        `/rest/api/2/search?jql=${q('project = ENG ORDER BY key')}&startAt=5&maxResults=5`,
      )
    ).json;

    expect(res.total).toBe(7);
    expect(res.issues.map((i: { key: string }) => i.key)).toEqual(keys.dc?.slice(5));
    expect(res.issues[0].fields).toHaveProperty('summary');
  });

  it('filters by relative and absolute updated, type and status', async () => {
    const api = client(cloud);
    const count = async (jql: string) =>
      (await api('GET', `/rest/api/2/search/jql?jql=${q(jql)}&maxResults=100`)).json.issues.length;
    const day = new Date(clock.now()).toISOString().slice(0, 10);

    // Cloud issues were created a minute apart, 14 to 8 minutes ago; ENG-2 changed 7 minutes ago.
    expect(await count('project = ENG AND updated >= -7m')).toBe(1);
    expect(await count('project = ENG AND updated >= -9m')).toBe(3);
    expect(await count(`project = ENG AND updated >= "${day}"`)).toBe(7);
    expect(await count('project = ENG AND issuetype = Bug')).toBe(3);
    expect(await count('project = ENG AND status = "In Progress"')).toBe(1);
    expect(await count(`key in (ENG-1, ENG-3) OR id = ${cloud.state.findIssue('ENG-7')?.id}`)).toBe(3);
  });

  it('refuses unbounded queries on Cloud and the removed /search there', async () => {
    const api = client(cloud);

    const unbounded = await api('GET', `/rest/api/2/search/jql?jql=${q('ORDER BY key')}`);
    const removed = await api('GET', `/rest/api/2/search?jql=${q('project = ENG')}`);

    expect(unbounded.status).toBe(400);
    expect(removed.status).toBe(410);
    // A client calling the removed endpoint is exactly what the contract check exists to catch.
    expect(cloud.contractViolations()).toEqual([expect.objectContaining({ status: 410 })]);
    cloud.clearContractViolations();
  });
});
