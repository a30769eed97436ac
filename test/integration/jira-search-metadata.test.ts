import { describe, expect, it } from 'vitest';
import { collect } from '../../shared/jira/paging.ts';
import {
  fieldIdsByName,
  getCreateMetaFields,
  getCreateMetaIssueTypes,
  getFields,
  getIssueTypes,
  getProject,
  listProjects,
} from '../../shared/jira/platform/projects.ts';
import { searchIssues } from '../../shared/jira/platform/search.ts';
import { findUserByEmail, findUsers, getUser } from '../../shared/jira/platform/users.ts';
import { example } from '../helpers/jira-examples.ts';
import { useJira } from '../helpers/jira-fixture.ts';

const jira = useJira({ flavor: 'cloud' });

const issue = (id: string) => ({
  id,
  key: `ENG-${id}`,
  self: `https://acme.atlassian.net/rest/api/2/issue/${id}`,
  fields: { summary: `issue ${id}` },
});

describe('search on Cloud (/search/jql, token paging)', () => {
  it('pages with nextPageToken to the end, sending the JQL in the body', async () => {
    const first = example('searchAndReconsileIssuesUsingJqlPost');
    jira.server.once('POST', '/rest/api/2/search/jql', {
      status: 200,
      json: { ...first, issues: [issue('1'), issue('2')], isLast: false, nextPageToken: 'page-2' },
    });
    jira.server.once('POST', '/rest/api/2/search/jql', {
      status: 200,
      json: { ...first, issues: [issue('3')], isLast: true, nextPageToken: undefined },
    });

    const found = await collect(
      searchIssues(jira.client, {
        jql: 'project = ENG AND updated >= -15m',
        fields: ['summary'],
        pageSize: 2,
      }),
    );

    expect(found.map((i) => i.id)).toEqual(['1', '2', '3']);
    expect(jira.server.requests.map((r) => r.json)).toEqual([
      { jql: 'project = ENG AND updated >= -15m', fields: ['summary'], maxResults: 2 },
      {
        jql: 'project = ENG AND updated >= -15m',
        fields: ['summary'],
        maxResults: 2,
        nextPageToken: 'page-2',
      },
    ]);
  });

  it('asks for navigable fields by default (/search/jql returns none otherwise)', async () => {
    jira.server.on('POST', '/rest/api/2/search/jql', { status: 200, json: { issues: [], isLast: true } });

    expect(await collect(searchIssues(jira.client, { jql: 'project = EMPTY' }))).toEqual([]);
    expect(jira.server.requests[0]?.json).toMatchObject({ fields: ['*navigable'] });
  });
});

describe('users', () => {
  it('reads a user by accountId', async () => {
    jira.server.on('GET', '/rest/api/2/user', { status: 200, json: example('getUser') });

    const user = await getUser(jira.client, { accountId: '5b10a2844c20165700ede21g' });

    expect(user.displayName).toBe('Mia Krystof');
    expect(jira.server.requests[0]?.query.get('accountId')).toBe('5b10a2844c20165700ede21g');
  });

  it('finds users by a text with `query`', async () => {
    jira.server.on('GET', '/rest/api/2/user/search', { status: 200, json: example('findUsers') });

    const users = await findUsers(jira.client, 'mia');

    expect(users).toHaveLength(2);
    expect(jira.server.requests[0]?.query.get('query')).toBe('mia');
  });

  it('finds a user by e-mail: the visible exact match, else a single hit with a hidden address', async () => {
    const [mia, other] = example<Record<string, unknown>[]>('findUsers');
    jira.server.once('GET', '/rest/api/2/user/search', {
      status: 200,
      json: [
        { ...other, emailAddress: 'someone@example.com' },
        { ...mia, emailAddress: 'Mia@Example.com' },
      ],
    });
    jira.server.once('GET', '/rest/api/2/user/search', {
      status: 200,
      json: [{ ...mia, emailAddress: undefined }],
    });
    jira.server.once('GET', '/rest/api/2/user/search', { status: 200, json: [] });

    expect((await findUserByEmail(jira.client, 'mia@example.com'))?.emailAddress).toBe('Mia@Example.com');
    expect((await findUserByEmail(jira.client, 'private@example.com'))?.accountId).toBe(mia?.accountId);
    expect(await findUserByEmail(jira.client, 'nobody@example.com')).toBeUndefined();
  });
});

describe('projects, issue types and fields', () => {
  it('reads a project', async () => {
    jira.server.on('GET', '/rest/api/2/project/EX', { status: 200, json: example('getProject') });

    expect(await getProject(jira.client, 'EX')).toMatchObject({ key: 'EX', name: 'Example' });
  });

  it('lists projects with /project/search, page after page', async () => {
    const page = example<{ values: unknown[] }>('searchProjects');
    jira.server.once('GET', '/rest/api/2/project/search', {
      status: 200,
      json: { ...page, startAt: 0, total: 4, isLast: false },
    });
    jira.server.once('GET', '/rest/api/2/project/search', {
      status: 200,
      json: { ...page, startAt: 2, total: 4, isLast: true },
    });

    const projects = await listProjects(jira.client);

    expect(projects.map((p) => p.key)).toEqual(['EX', 'ABC', 'EX', 'ABC']);
    expect(jira.server.requests.map((r) => r.query.get('startAt'))).toEqual(['0', '2']);
  });

  it('lists issue types, and the creatable ones of a project with their fields', async () => {
    jira.server.on('GET', '/rest/api/2/issuetype', { status: 200, json: example('getIssueAllTypes') });
    jira.server.on('GET', '/rest/api/2/issue/createmeta/ENG/issuetypes', {
      status: 200,
      json: example('getCreateIssueMetaIssueTypes'),
    });
    const fields = example<{ fields: Record<string, unknown>[] }>('getCreateIssueMetaIssueTypeId');
    // Atlassian's example leaves out `schema`, which its own schema requires.
    for (const f of fields.fields) f.schema ??= { type: 'string', system: String(f.fieldId) };
    jira.server.on('GET', '/rest/api/2/issue/createmeta/ENG/issuetypes/1', { status: 200, json: fields });

    const all = await getIssueTypes(jira.client);
    const creatable = await getCreateMetaIssueTypes(jira.client, 'ENG');
    const createFields = await getCreateMetaFields(jira.client, 'ENG', '1');

    expect(all.map((t) => t.name)).toEqual(['Task', 'Bug']);
    expect(creatable.map((t) => t.name)).toEqual(['Bug']);
    expect(createFields.map((f) => [f.fieldId, f.required])).toEqual([['assignee', true]]);
  });

  it('lists fields and finds custom field ids by display name', async () => {
    const [description] = example<Record<string, unknown>[]>('getFields');
    const impact = {
      ...description,
      id: 'customfield_10050',
      key: 'customfield_10050',
      name: 'Impact',
      custom: true,
      clauseNames: ['cf[10050]', 'Impact'],
      schema: {
        type: 'option',
        custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select',
        customId: 10050,
      },
    };
    jira.server.on('GET', '/rest/api/2/field', {
      status: 200,
      json: [...example<unknown[]>('getFields'), impact],
    });

    const fields = await getFields(jira.client);

    expect(fieldIdsByName(fields, ' impact ')).toEqual(['customfield_10050']);
    expect(fieldIdsByName(fields, 'Summary')).toEqual(['summary']);
    expect(fieldIdsByName(fields, 'Nope')).toEqual([]);
  });
});
