import { describe, expect, it } from 'vitest';
import { collect } from '../../shared/jira/paging.ts';
import { downloadAttachment } from '../../shared/jira/platform/attachments.ts';
import { getChangelog } from '../../shared/jira/platform/changelog.ts';
import { getCreateMetaIssueTypes, listProjects } from '../../shared/jira/platform/projects.ts';
import { searchIssues } from '../../shared/jira/platform/search.ts';
import { getMyself } from '../../shared/jira/platform/server.ts';
import { findUserByEmail, findUsers, getUser } from '../../shared/jira/platform/users.ts';
import { addCustomers } from '../../shared/jira/servicedesk/customers.ts';
import { addParticipants } from '../../shared/jira/servicedesk/participants.ts';
import { example } from '../helpers/jira-examples.ts';
import { PAT_CREDENTIALS, useJira } from '../helpers/jira-fixture.ts';

// Data Center behind a context path (/jira), with a personal access token: the same operations pick the
// endpoints and parameters Data Center has.
const jira = useJira({ flavor: 'datacenter', auth: 'pat', serviceManagement: true });

const dcUser = {
  self: 'https://jira.acme.internal/jira/rest/api/2/user?username=mia',
  key: 'JIRAUSER10100',
  name: 'mia',
  emailAddress: 'mia@acme.example',
  displayName: 'Mia Krystof',
  active: true,
  timeZone: 'Europe/Berlin',
};

describe('Data Center', () => {
  it('sends the personal access token as Bearer, under the context path', async () => {
    jira.server.on('GET', '/jira/rest/api/2/myself', { status: 200, json: dcUser });

    expect((await getMyself(jira.client)).name).toBe('mia');
    expect(jira.server.requests[0]?.headers.authorization).toBe(`Bearer ${PAT_CREDENTIALS.token}`);
  });

  it('searches /search with startAt to the end, even when Jira caps the page size', async () => {
    const results = example<Record<string, unknown>>('searchForIssuesUsingJqlPost');
    const issue = (id: string) => ({
      id,
      key: `OPS-${id}`,
      self: `https://jira.acme.internal/jira/rest/api/2/issue/${id}`,
      fields: {},
    });
    // Asked for 100, Jira gives 2 per page (its own maxResults cap), 5 in all.
    for (const [startAt, ids] of [
      [0, ['1', '2']],
      [2, ['3', '4']],
      [4, ['5']],
    ] as const) {
      jira.server.once('POST', '/jira/rest/api/2/search', {
        status: 200,
        json: { ...results, startAt, maxResults: 2, total: 5, issues: ids.map(issue) },
      });
    }

    const found = await collect(searchIssues(jira.client, { jql: 'project = OPS', expand: ['names'] }));

    expect(found.map((i) => i.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(jira.server.requests.map((r) => (r.json as { startAt: number }).startAt)).toEqual([0, 2, 4]);
    expect(jira.server.requests[0]?.json).toEqual({
      jql: 'project = OPS',
      fields: ['*navigable'],
      startAt: 0,
      maxResults: 100,
      expand: ['names'],
    });
  });

  it('reads the changelog with expand=changelog (Data Center has no /changelog endpoint)', async () => {
    const history = {
      id: '10400',
      author: dcUser,
      created: '2026-03-01T09:00:00.000+0100',
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          from: '1',
          fromString: 'Open',
          to: '3',
          toString: 'In Progress',
        },
      ],
    };
    jira.server.on('GET', '/jira/rest/api/2/issue/OPS-1', {
      status: 200,
      json: {
        id: '10001',
        key: 'OPS-1',
        fields: { summary: 's' },
        changelog: { startAt: 0, maxResults: 1, total: 1, histories: [history] },
      },
    });

    const entries = await getChangelog(jira.client, 'OPS-1');

    expect(entries.map((e) => e.items[0]?.toString)).toEqual(['In Progress']);
    expect(jira.server.requests[0]?.query.get('expand')).toBe('changelog');
  });

  it("downloads an attachment from /secure/attachment on the connection's own base URL", async () => {
    jira.server.on('GET', '/jira/secure/attachment/10300/screen%20shot.png', {
      status: 200,
      body: new Uint8Array([137, 80, 78, 71]),
      headers: { 'content-type': 'image/png' },
    });

    const download = await downloadAttachment(jira.client, { id: '10300', filename: 'screen shot.png' });

    expect(new Uint8Array(await new Response(download.body).arrayBuffer())).toEqual(
      new Uint8Array([137, 80, 78, 71]),
    );
    expect(jira.server.requests[0]?.headers.authorization).toBe(`Bearer ${PAT_CREDENTIALS.token}`);
  });

  it('reads users by username and searches with `username`; e-mail must match exactly', async () => {
    jira.server.on('GET', '/jira/rest/api/2/user', { status: 200, json: dcUser });
    jira.server.on('GET', '/jira/rest/api/2/user/search', {
      status: 200,
      json: [{ ...dcUser, emailAddress: 'other@acme.example' }],
    });

    expect((await getUser(jira.client, { username: 'mia' })).key).toBe('JIRAUSER10100');
    expect(await findUsers(jira.client, 'mia')).toHaveLength(1);
    expect(await findUserByEmail(jira.client, 'mia@acme.example')).toBeUndefined();
    expect(jira.server.requests.map((r) => r.url)).toEqual([
      '/jira/rest/api/2/user?username=mia',
      '/jira/rest/api/2/user/search?username=mia&maxResults=50',
      '/jira/rest/api/2/user/search?username=mia%40acme.example&maxResults=10',
    ]);
  });

  it('lists projects with /project and creatable issue types from `values`', async () => {
    // Atlassian's example breaks its schema in `insight` and `style`, which Data Center does not send anyway.
    const projects = example<Record<string, unknown>[]>('getAllProjects').map(
      ({ insight: _, style: __, ...p }) => p,
    );
    jira.server.on('GET', '/jira/rest/api/2/project', { status: 200, json: projects });
    const types = example<{ issueTypes: unknown[] }>('getCreateIssueMetaIssueTypes');
    jira.server.on('GET', '/jira/rest/api/2/issue/createmeta/OPS/issuetypes', {
      status: 200,
      json: { startAt: 0, maxResults: 50, total: 1, isLast: true, values: types.issueTypes },
    });

    const listed = await listProjects(jira.client);
    const creatable = await getCreateMetaIssueTypes(jira.client, 'OPS');

    expect(listed.map((p) => p.key)).toEqual(['EX', 'ABC']);
    expect(creatable.map((t) => t.name)).toEqual(['Bug']);
  });

  it('names participants and customers by username', async () => {
    jira.server.on('POST', '/jira/rest/servicedeskapi/request/HELP-1/participant', {
      status: 200,
      json: { ...example('addRequestParticipants'), isLastPage: true },
    });
    jira.server.on('POST', '/jira/rest/servicedeskapi/servicedesk/2/customer', { status: 204 });

    await addParticipants(jira.client, 'HELP-1', ['mia']);
    await addCustomers(jira.client, '2', ['mia']);

    expect(jira.server.requests.map((r) => r.json)).toEqual([{ usernames: ['mia'] }, { usernames: ['mia'] }]);
  });
});
