import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JiraError } from '../../simulator/errors.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { Site } from '../../simulator/site.ts';
import { client, startTwoSites } from './helpers.ts';

/** Workflows, permissions, Service Management, attachments, links and moves, through REST and as humans. */
describe('simulated Jira behaviour', () => {
  let sim: Simulator;
  let cloud: Site;
  let dc: Site;

  beforeEach(async () => {
    ({ sim, cloud, dc } = await startTwoSites());
  });
  afterEach(async () => {
    sim.assertNoContractViolations();
    await sim.stop();
  });

  describe('workflow', () => {
    it('needs two steps from To Do to Done and sets and clears the resolution', async () => {
      const issue = cloud.as('bob').createIssue({ project: 'ENG', summary: 'Fix it' });
      const api = client(cloud, 'bob');
      const names = async () =>
        (await api('GET', `/rest/api/2/issue/${issue.key}/transitions`)).json.transitions.map(
          (t: { to: { name: string } }) => t.to.name,
        );

      expect(await names()).toEqual(['In Progress']);
      expect(() => cloud.as('bob').transition(issue.key, 'Done')).toThrow(JiraError);
      cloud.as('bob').transition(issue.key, 'In Progress');
      cloud.as('bob').transition(issue.key, 'Done');
      const done = (
        await api('GET', `/rest/api/2/issue/${issue.key}?fields=status,resolution,resolutiondate`)
      ).json.fields;
      cloud.as('bob').transition(issue.key, 'Reopen');
      const reopened = (await api('GET', `/rest/api/2/issue/${issue.key}?fields=status,resolution`)).json
        .fields;

      expect(done).toMatchObject({
        status: { name: 'Done', statusCategory: { key: 'done' } },
        resolution: { name: 'Done' },
        resolutiondate: expect.any(String),
      });
      expect(reopened).toMatchObject({ status: { name: 'To Do' }, resolution: null });
    });

    it('refuses a transition that does not start from the current status', async () => {
      const issue = dc.as('bob').createIssue({ project: 'ENG', summary: 'x' });

      const res = await client(dc, 'bob')('POST', `/rest/api/2/issue/${issue.key}/transitions`, {
        transition: { id: '31' },
      });

      expect(res.status).toBe(400);
      expect(res.json.errorMessages[0]).toContain("Transition id '31' is not valid");
    });

    it('records changes in the changelog and validates fields like Jira', async () => {
      const api = client(cloud);
      const created = await api('POST', '/rest/api/2/issue', {
        fields: {
          project: { key: 'ENG' },
          issuetype: { name: 'Bug' },
          summary: 'Crash',
          labels: ['a b'],
          duedate: '2025-13-01',
          bogus: 1,
        },
      });
      expect(created.status).toBe(400);
      expect(Object.keys(created.json.errors).sort()).toEqual(['bogus', 'duedate', 'labels']);

      const ok = await api('POST', '/rest/api/2/issue', {
        fields: { project: { key: 'ENG' }, issuetype: { name: 'Bug' }, summary: 'Crash' },
      });
      await api('PUT', `/rest/api/2/issue/${ok.json.key}`, {
        fields: { summary: 'Crash on start', priority: { name: 'Highest' } },
      });
      const changelog = (await api('GET', `/rest/api/2/issue/${ok.json.key}/changelog`)).json.values;

      expect(changelog[0].items).toEqual([
        {
          field: 'summary',
          fieldtype: 'jira',
          fieldId: 'summary',
          fromString: 'Crash',
          toString: 'Crash on start',
        },
        {
          field: 'priority',
          fieldtype: 'jira',
          fieldId: 'priority',
          from: '3',
          fromString: 'Medium',
          to: '1',
          toString: 'Highest',
        },
      ]);
    });

    it('writes every custom field type', async () => {
      const byName = (name: string) =>
        [...cloud.state.customFields.values()].find((f) => f.name === name)?.id ?? '';
      const issue = cloud.as('alice').createIssue({
        project: 'ENG',
        summary: 'Custom',
        custom: {
          Team: 'Platform',
          'Story Points': 3,
          Severity: { value: 'Sev-1' },
          Reviewer: 'bob',
          'Target date': '2025-04-01',
        },
      });

      const fields = (await client(cloud)('GET', `/rest/api/2/issue/${issue.key}`)).json.fields;

      expect(fields[byName('Team')]).toBe('Platform');
      expect(fields[byName('Story Points')]).toBe(3);
      expect(fields[byName('Severity')]).toMatchObject({ value: 'Sev-1' });
      expect(fields[byName('Reviewer')]).toMatchObject({ accountId: cloud.user('bob').accountId });
      expect(fields[byName('Target date')]).toBe('2025-04-01');
    });
  });

  describe('permissions', () => {
    it('answers 403 for a missing project permission and says which in mypermissions', async () => {
      const issue = cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
      const viewer = client(cloud, 'victor');

      const edit = await viewer('PUT', `/rest/api/2/issue/${issue.key}`, { fields: { summary: 'y' } });
      const upload = new FormData();
      upload.append('file', new Blob(['x']), 'x.txt');
      const attach = await viewer('POST', `/rest/api/2/issue/${issue.key}/attachments`, upload, {
        'X-Atlassian-Token': 'no-check',
      });
      const perms = (
        await viewer(
          'GET',
          `/rest/api/2/mypermissions?issueKey=${issue.key}&permissions=BROWSE_PROJECTS,EDIT_ISSUES,CREATE_ATTACHMENTS`,
        )
      ).json.permissions;

      expect(edit.status).toBe(403);
      expect(attach.status).toBe(403);
      expect(perms.BROWSE_PROJECTS.havePermission).toBe(true);
      expect(perms.EDIT_ISSUES.havePermission).toBe(false);
      expect(perms.CREATE_ATTACHMENTS.havePermission).toBe(false);
    });

    it('hides issues of projects one cannot browse', async () => {
      const issue = cloud.as('alice').createIssue({ project: 'ENG', summary: 'secret' });

      const res = await client(cloud, 'carol')('GET', `/rest/api/2/issue/${issue.key}`);

      expect(res.status).toBe(404);
    });

    it('leaves out the e-mail of users who hide it (Cloud) but not on Data Center', async () => {
      const dana = cloud.user('dana');

      const onCloud = (await client(cloud)('GET', `/rest/api/2/user?accountId=${dana.accountId}`)).json;
      const onDc = (await client(dc)('GET', '/rest/api/2/user?username=dana')).json;

      expect(onCloud).not.toHaveProperty('emailAddress');
      expect(onCloud).not.toHaveProperty('name');
      expect(onDc).toMatchObject({
        name: 'dana',
        key: expect.stringMatching(/^JIRAUSER/),
        emailAddress: 'dana@acme.example',
      });
    });
  });

  describe('Service Management', () => {
    it('keeps internal notes from customers and marks them in the platform API', async () => {
      const request = cloud
        .as('carol')
        .raiseRequest({ serviceDesk: 'HELP', requestType: 'Get IT help', summary: 'Printer' });
      cloud.as('alice').reply(request.key, 'Internal note', { internal: true });
      cloud.as('alice').reply(request.key, 'Public reply');
      const internalViaPlatform = await client(cloud)('POST', `/rest/api/2/issue/${request.key}/comment`, {
        body: 'Via platform API',
        properties: [{ key: 'sd.public.comment', value: { internal: true } }],
      });

      const customerView = (
        await client(cloud, 'carol')('GET', `/rest/servicedeskapi/request/${request.key}/comment`)
      ).json.values;
      const agentView = (await client(cloud)('GET', `/rest/api/2/issue/${request.key}/comment`)).json
        .comments;
      const customerInternal = await client(cloud, 'carol')(
        'POST',
        `/rest/servicedeskapi/request/${request.key}/comment`,
        { body: 'x', public: false },
      );

      expect(customerView.map((c: { body: string }) => c.body)).toEqual(['Public reply']);
      expect(agentView.map((c: { jsdPublic: boolean }) => c.jsdPublic)).toEqual([false, true, false]);
      expect(internalViaPlatform.json.jsdPublic).toBe(false);
      expect(customerInternal.status).toBe(403);
    });

    it('raises a request on behalf of a customer, with the request type on the issue', async () => {
      const res = await client(cloud)('POST', '/rest/servicedeskapi/request', {
        serviceDeskId: '1',
        requestTypeId: '10',
        raiseOnBehalfOf: cloud.user('carol').accountId,
        requestFieldValues: { summary: 'Laptop broken', description: 'Screen *flickers*' },
      });
      const issue = (await client(cloud)('GET', `/rest/api/2/issue/${res.json.issueKey}`)).json.fields;

      expect(res.status).toBe(201);
      expect(res.json.reporter.accountId).toBe(cloud.user('carol').accountId);
      expect(issue.customfield_10010).toMatchObject({
        requestType: { id: '10', name: 'Get IT help' },
        currentStatus: { status: 'Waiting for support' },
      });
      expect(issue.reporter.accountId).toBe(cloud.user('carol').accountId);
    });

    it('refuses fields the request type does not have', async () => {
      const res = await client(cloud, 'carol')('POST', '/rest/servicedeskapi/request', {
        serviceDeskId: '1',
        requestTypeId: '10',
        requestFieldValues: { summary: 'x', priority: { name: 'High' } },
      });

      expect(res.status).toBe(400);
      expect(res.json.errorMessage).toContain('priority');
    });
  });

  describe('attachments', () => {
    it('requires the XSRF header, enforces the size limit and streams the content back', async () => {
      await sim.stop();
      ({ sim, cloud, dc } = await startTwoSites({ cloud: { maxAttachmentBytes: 200_000 } }));
      const issue = cloud.as('alice').createIssue({ project: 'ENG', summary: 'files' });
      const api = client(cloud);
      const form = (size: number) => {
        const f = new FormData();
        f.append('file', new Blob([Buffer.alloc(size, 7)], { type: 'application/octet-stream' }), 'dump.bin');
        return f;
      };

      const noToken = await api('POST', `/rest/api/2/issue/${issue.key}/attachments`, form(10));
      const tooBig = await api('POST', `/rest/api/2/issue/${issue.key}/attachments`, form(200_001), {
        'X-Atlassian-Token': 'no-check',
      });
      const ok = await api('POST', `/rest/api/2/issue/${issue.key}/attachments`, form(150_000), {
        'X-Atlassian-Token': 'no-check',
      });
      const download = await fetch(`${cloud.baseUrl}/rest/api/2/attachment/content/${ok.json[0].id}`, {
        headers: {
          authorization: `Basic ${Buffer.from('jira-sync@example.com:jira-sync-api-token').toString('base64')}`,
        },
      });
      const bytes = Buffer.from(await download.arrayBuffer());

      expect(noToken.status).toBe(403);
      expect(noToken.json.errorMessages).toEqual(['XSRF check failed']);
      expect(tooBig.status).toBe(413);
      expect(ok.json[0]).toMatchObject({
        filename: 'dump.bin',
        size: 150_000,
        mimeType: 'application/octet-stream',
      });
      expect(download.status).toBe(200);
      expect(bytes.length).toBe(150_000);
      expect(bytes.every((b) => b === 7)).toBe(true);
    });
  });

  describe('links, remote links and moves', () => {
    it('upserts remote links by globalId', async () => {
      const issue = cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
      const api = client(cloud);
      const body = { globalId: 'peer:1', object: { url: 'https://peer.example/1', title: 'PEER-1' } };

      const first = await api('POST', `/rest/api/2/issue/${issue.key}/remotelink`, body);
      const second = await api('POST', `/rest/api/2/issue/${issue.key}/remotelink`, {
        ...body,
        object: { ...body.object, title: 'PEER-1 renamed' },
      });
      const all = (await api('GET', `/rest/api/2/issue/${issue.key}/remotelink`)).json;

      expect([first.status, second.status]).toEqual([201, 200]);
      expect(second.json.id).toBe(first.json.id);
      expect(all).toEqual([
        expect.objectContaining({
          globalId: 'peer:1',
          object: { url: 'https://peer.example/1', title: 'PEER-1 renamed' },
        }),
      ]);
    });

    it('shows issue links from both sides', async () => {
      const a = dc.as('bob').createIssue({ project: 'ENG', summary: 'A' });
      const b = dc.as('bob').createIssue({ project: 'ENG', summary: 'B' });
      dc.as('bob').link(a.key, b.key, 'Blocks');

      const fromA = (await client(dc)('GET', `/rest/api/2/issue/${a.key}?fields=issuelinks`)).json.fields
        .issuelinks[0];
      const fromB = (await client(dc)('GET', `/rest/api/2/issue/${b.key}?fields=issuelinks`)).json.fields
        .issuelinks[0];

      expect(fromA).toMatchObject({ type: { outward: 'blocks' }, outwardIssue: { key: b.key } });
      expect(fromB).toMatchObject({ type: { inward: 'is blocked by' }, inwardIssue: { key: a.key } });
    });

    it('keeps the id when an issue moves, and the old key still resolves', async () => {
      const issue = cloud.as('alice').createIssue({ project: 'ENG', summary: 'wrong project' });
      const moved = cloud.as('alice').move(issue.key, 'HELP');

      const byOldKey = (await client(cloud)('GET', `/rest/api/2/issue/${issue.key}?fields=project`)).json;

      expect(moved.id).toBe(issue.id);
      expect(moved.key).toMatch(/^HELP-/);
      expect(byOldKey).toMatchObject({ id: issue.id, key: moved.key, fields: { project: { key: 'HELP' } } });
    });
  });

  it('numbers ids from a different base on each site', () => {
    const a = cloud.as('alice').createIssue({ project: 'ENG', summary: 'x' });
    const b = dc.as('alice').createIssue({ project: 'ENG', summary: 'x' });

    expect(a.key).toBe(b.key);
    expect(a.id).not.toBe(b.id);
  });
});
