import { describe, expect, it } from 'vitest';
import { collect } from '../../shared/jira/paging.ts';
import { getChangelog } from '../../shared/jira/platform/changelog.ts';
import {
  addComment,
  deleteComment,
  listComments,
  updateComment,
} from '../../shared/jira/platform/comments.ts';
import {
  deleteIssueLink,
  getIssueLink,
  getIssueLinkTypes,
  linkIssues,
  listIssueLinks,
} from '../../shared/jira/platform/issue-links.ts';
import {
  deleteIssueProperty,
  getIssueProperty,
  listIssuePropertyKeys,
  setIssueProperty,
} from '../../shared/jira/platform/issue-properties.ts';
import { createIssue, editIssue, getIssue } from '../../shared/jira/platform/issues.ts';
import {
  deleteRemoteLinkByGlobalId,
  listRemoteLinks,
  upsertRemoteLink,
} from '../../shared/jira/platform/remote-links.ts';
import { getMyPermissions, getMyself, getServerInfo } from '../../shared/jira/platform/server.ts';
import { doTransition, getTransitions } from '../../shared/jira/platform/transitions.ts';
import { example } from '../helpers/jira-examples.ts';
import { useJira } from '../helpers/jira-fixture.ts';

// Every platform operation against a scriptable Jira Cloud on 127.0.0.1; each request and canned answer
// is checked against Atlassian's OpenAPI contract by the server (see useJira).
const jira = useJira({ flavor: 'cloud' });

describe('server and account', () => {
  it('reads the account jira-sync calls as', async () => {
    jira.server.on('GET', '/rest/api/2/myself', { status: 200, json: example('getCurrentUser') });

    const me = await getMyself(jira.client);

    expect(me.accountId).toBe('5b10a2844c20165700ede21g');
  });

  it('reads the server info', async () => {
    const info = example('getServerInfo');
    delete info.defaultLocale; // Atlassian's example carries a field its own schema forbids.
    jira.server.on('GET', '/rest/api/2/serverInfo', {
      status: 200,
      json: { ...info, deploymentType: 'Cloud' },
    });

    expect(await getServerInfo(jira.client)).toMatchObject({
      deploymentType: 'Cloud',
      versionNumbers: [5, 0, 0],
    });
  });

  it('asks mypermissions for named permissions of a project', async () => {
    jira.server.on('GET', '/rest/api/2/mypermissions', { status: 200, json: example('getMyPermissions') });

    const granted = await getMyPermissions(jira.client, { projectKey: 'ENG', permissions: ['EDIT_ISSUES'] });

    expect(granted.EDIT_ISSUES?.havePermission).toBe(true);
    expect(jira.server.requests[0]?.url).toBe(
      '/rest/api/2/mypermissions?permissions=EDIT_ISSUES&projectKey=ENG',
    );
  });
});

describe('issues', () => {
  it('reads an issue with all fields and their names, never rendered HTML', async () => {
    const issue = example('getIssue');
    jira.server.on('GET', '/rest/api/2/issue/10002', {
      status: 200,
      json: { ...issue, fields: { summary: 'Checkout fails', description: 'Steps: *click* pay' } },
    });

    const got = await getIssue(jira.client, '10002', { names: true });

    expect(got).toMatchObject({ id: '10002', key: 'ED-1', fields: { description: 'Steps: *click* pay' } });
    const query = jira.server.requests[0]?.query;
    expect(query?.get('fields')).toBe('*all');
    expect(query?.get('expand')).toBe('names');
    expect(jira.server.requests[0]?.url).not.toContain('renderedFields');
  });

  it('creates an issue with properties in the same call', async () => {
    jira.server.on('POST', '/rest/api/2/issue', { status: 201, json: example('createIssue', '201') });

    const created = await createIssue(jira.client, {
      fields: {
        project: { key: 'ED' },
        issuetype: { id: '10001' },
        summary: 'Synced',
        description: 'h1. Hi',
      },
      properties: [{ key: 'jira-sync', value: { flow: 'support', source: '10002' } }],
    });

    expect(created).toMatchObject({ id: '10000', key: 'ED-24' });
    expect(jira.server.requests[0]?.json).toEqual({
      fields: {
        project: { key: 'ED' },
        issuetype: { id: '10001' },
        summary: 'Synced',
        description: 'h1. Hi',
      },
      properties: [{ key: 'jira-sync', value: { flow: 'support', source: '10002' } }],
    });
  });

  it('edits fields and properties, optionally without notifications', async () => {
    jira.server.on('PUT', '/rest/api/2/issue/10002', { status: 204 });

    await editIssue(
      jira.client,
      '10002',
      { fields: { summary: 'New' }, update: { labels: [{ add: 'synced' }] } },
      { notifyUsers: false },
    );

    const request = jira.server.requests[0];
    expect(request?.query.get('notifyUsers')).toBe('false');
    expect(request?.json).toEqual({ fields: { summary: 'New' }, update: { labels: [{ add: 'synced' }] } });
  });

  it('reads the whole changelog, page after page', async () => {
    const page = example<{ values: { items: { from: unknown; to: unknown }[] }[] }>('getChangeLogs');
    // The example's `from: null` contradicts its own schema; Jira sends strings for label changes.
    for (const entry of page.values)
      for (const item of entry.items) Object.assign(item, { from: '', to: '' });
    jira.server.once('GET', '/rest/api/2/issue/TT-1/changelog', {
      status: 200,
      json: { ...page, startAt: 0, total: 4, isLast: false },
    });
    jira.server.once('GET', '/rest/api/2/issue/TT-1/changelog', {
      status: 200,
      json: { ...page, startAt: 2, total: 4, isLast: true },
    });

    const entries = await getChangelog(jira.client, 'TT-1', 2);

    expect(entries.map((e) => e.id)).toEqual(['10001', '10002', '10001', '10002']);
    expect(jira.server.requests.map((r) => r.query.get('startAt'))).toEqual(['0', '2']);
  });
});

describe('transitions', () => {
  it('lists the transitions with their screen fields', async () => {
    jira.server.on('GET', '/rest/api/2/issue/10002/transitions', {
      status: 200,
      json: example('getTransitions'),
    });

    const transitions = await getTransitions(jira.client, '10002', { expandFields: true });

    expect(transitions.map((t) => [t.id, t.to.name])).toEqual([
      ['2', 'In Progress'],
      ['711', 'Closed'],
    ]);
    expect(jira.server.requests[0]?.query.get('expand')).toBe('transitions.fields');
  });

  it('moves an issue through a transition', async () => {
    jira.server.on('POST', '/rest/api/2/issue/10002/transitions', { status: 204 });

    await doTransition(jira.client, '10002', {
      transitionId: '21',
      fields: { resolution: { name: 'Done' } },
    });

    expect(jira.server.requests[0]?.json).toEqual({
      transition: { id: '21' },
      fields: { resolution: { name: 'Done' } },
    });
  });
});

describe('comments', () => {
  const wikiComment = (id: string) => ({ ...example('getComment'), id, body: `comment ${id} in *wiki*` });

  it('lists every comment with its properties, page after page to the end', async () => {
    jira.server.once('GET', '/rest/api/2/issue/10002/comment', {
      status: 200,
      json: { startAt: 0, maxResults: 2, total: 3, comments: [wikiComment('1'), wikiComment('2')] },
    });
    jira.server.once('GET', '/rest/api/2/issue/10002/comment', {
      status: 200,
      json: { startAt: 2, maxResults: 2, total: 3, comments: [wikiComment('3')] },
    });

    const comments = await collect(listComments(jira.client, '10002', 2));

    expect(comments.map((c) => [c.id, c.body])).toEqual([
      ['1', 'comment 1 in *wiki*'],
      ['2', 'comment 2 in *wiki*'],
      ['3', 'comment 3 in *wiki*'],
    ]);
    const query = jira.server.requests[1]?.query;
    expect([query?.get('startAt'), query?.get('expand'), query?.get('orderBy')]).toEqual([
      '2',
      'properties',
      'created',
    ]);
  });

  it('adds, edits and deletes a comment', async () => {
    jira.server.on('POST', '/rest/api/2/issue/10002/comment', { status: 201, json: wikiComment('10000') });
    jira.server.on('PUT', '/rest/api/2/issue/10002/comment/10000', {
      status: 200,
      json: wikiComment('10000'),
    });
    jira.server.on('DELETE', '/rest/api/2/issue/10002/comment/10000', { status: 204 });
    const body = { body: 'From *ENG-1*', properties: [{ key: 'jira-sync', value: { copyOf: '77' } }] };

    const added = await addComment(jira.client, '10002', body);
    await updateComment(jira.client, '10002', '10000', { body: 'edited' }, { notifyUsers: false });
    await deleteComment(jira.client, '10002', '10000');

    expect(added.id).toBe('10000');
    expect(jira.server.requests.map((r) => [r.method, r.json])).toEqual([
      ['POST', body],
      ['PUT', { body: 'edited' }],
      ['DELETE', undefined],
    ]);
  });
});

describe('issue properties', () => {
  it('lists, reads, sets and deletes a property', async () => {
    jira.server.on('GET', '/rest/api/2/issue/EX-2/properties', {
      status: 200,
      json: example('getIssuePropertyKeys'),
    });
    jira.server.on('GET', '/rest/api/2/issue/EX-2/properties/issue.support', {
      status: 200,
      json: example('getIssueProperty'),
    });
    jira.server.on('PUT', '/rest/api/2/issue/EX-2/properties/jira-sync', { status: 201 });
    jira.server.on('DELETE', '/rest/api/2/issue/EX-2/properties/jira-sync', { status: 204 });

    expect(await listIssuePropertyKeys(jira.client, 'EX-2')).toEqual(['issue.support']);
    expect(await getIssueProperty(jira.client, 'EX-2', 'issue.support')).toMatchObject({
      'system.support.time': '1m',
    });
    await setIssueProperty(jira.client, 'EX-2', 'jira-sync', { flow: 'f', intent: 'i-1' });
    await deleteIssueProperty(jira.client, 'EX-2', 'jira-sync');

    expect(jira.server.requestsTo('PUT', /jira-sync$/)[0]?.json).toEqual({ flow: 'f', intent: 'i-1' });
  });
});

describe('issue links', () => {
  it("lists an issue's links from its issuelinks field", async () => {
    const link = example('getIssueLink');
    jira.server.on('GET', '/rest/api/2/issue/10002', {
      status: 200,
      json: { id: '10002', key: 'ED-1', fields: { issuelinks: [link] } },
    });

    const links = await listIssueLinks(jira.client, '10002');

    expect(links.map((l) => [l.id, l.type.name, l.inwardIssue?.key, l.outwardIssue?.key])).toEqual([
      ['10001', 'Duplicate', 'PR-3', 'PR-2'],
    ]);
    expect(jira.server.requests[0]?.query.get('fields')).toBe('issuelinks');
  });

  it('links two issues by id or key, reads and deletes a link, and lists link types', async () => {
    jira.server.on('POST', '/rest/api/2/issueLink', { status: 201 });
    jira.server.on('GET', '/rest/api/2/issueLink/10001', { status: 200, json: example('getIssueLink') });
    jira.server.on('DELETE', '/rest/api/2/issueLink/10001', { status: 204 });
    jira.server.on('GET', '/rest/api/2/issueLinkType', { status: 200, json: example('getIssueLinkTypes') });

    await linkIssues(jira.client, { type: 'Blocks', inwardIssue: '10002', outwardIssue: 'ED-7' });
    const link = await getIssueLink(jira.client, '10001');
    await deleteIssueLink(jira.client, '10001');
    const types = await getIssueLinkTypes(jira.client);

    expect(jira.server.requests[0]?.json).toEqual({
      type: { name: 'Blocks' },
      inwardIssue: { id: '10002' },
      outwardIssue: { key: 'ED-7' },
    });
    expect(link.type.name).toBe('Duplicate');
    expect(types.map((t) => t.name)).toEqual(['Duplicate', 'Blocks']);
  });
});

describe('remote links', () => {
  const globalId = 'jira-sync:acme-dc:10500';

  it('lists remote links, and reads one by global id (Jira answers a single object then)', async () => {
    const all = example<Record<string, unknown>[]>('getRemoteIssueLinks');
    jira.server.once('GET', '/rest/api/2/issue/MKY-1/remotelink', { status: 200, json: all });
    jira.server.once('GET', '/rest/api/2/issue/MKY-1/remotelink', { status: 200, json: all[0] });

    const listed = await listRemoteLinks(jira.client, 'MKY-1');
    const one = await listRemoteLinks(jira.client, 'MKY-1', {
      globalId: 'system=http://www.mycompany.com/support&id=1',
    });

    expect(listed.map((l) => l.id)).toEqual(['10000', '10001']);
    expect(one.map((l) => l.object.title)).toEqual(['TSTSUP-111']);
    expect(jira.server.requests[1]?.query.get('globalId')).toBe(
      'system=http://www.mycompany.com/support&id=1',
    );
  });

  it('upserts by global id: created first (201), then updated (200), never duplicated', async () => {
    jira.server.once('POST', '/rest/api/2/issue/10002/remotelink', {
      status: 201,
      json: example('createOrUpdateRemoteIssueLink', '201'),
    });
    jira.server.once('POST', '/rest/api/2/issue/10002/remotelink', {
      status: 200,
      json: example('createOrUpdateRemoteIssueLink', '200'),
    });
    const link = { globalId, object: { url: 'https://jira.acme.internal/browse/OPS-5', title: 'OPS-5' } };

    const first = await upsertRemoteLink(jira.client, '10002', link);
    const second = await upsertRemoteLink(jira.client, '10002', {
      ...link,
      object: { ...link.object, title: 'OPS-5 (moved)' },
    });

    expect([first.id, second.id]).toEqual(['10000', '10000']);
    expect(jira.server.requests.map((r) => (r.json as { globalId: string }).globalId)).toEqual([
      globalId,
      globalId,
    ]);
  });

  it('deletes a remote link by global id', async () => {
    jira.server.on('DELETE', '/rest/api/2/issue/10002/remotelink', { status: 204 });

    await deleteRemoteLinkByGlobalId(jira.client, '10002', globalId);

    expect(jira.server.requests[0]?.query.get('globalId')).toBe(globalId);
  });
});
