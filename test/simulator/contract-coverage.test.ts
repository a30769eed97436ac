import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_FILES, type ContractName } from '../../simulator/contract/operations.ts';
import { vendoredFile } from '../../simulator/contract/vendor.ts';
import { API_ROOT } from '../../simulator/http/route.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { type Site, simulatedRoutes } from '../../simulator/site.ts';
import { type Answer, CLIENT, call, client, q, startTwoSites } from './helpers.ts';

/**
 * Drives every REST operation the simulator serves, on both flavours, through real HTTP, and asserts
 * that no request or response broke Atlassian's OpenAPI contracts. A route nobody drives fails the test.
 */

function expectOk(answer: Answer, status: number | number[], what: string): void {
  const wanted = Array.isArray(status) ? status : [status];
  expect(wanted, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
}

async function platformScenario(sim: Simulator, site: Site): Promise<void> {
  const api = client(site);
  const cloud = site.flavour === 'cloud';
  const me = site.user('jira-sync');
  const meRef = cloud ? { accountId: me.accountId } : { name: me.name };

  expectOk(await api('GET', '/rest/api/2/myself'), 200, 'myself');
  expectOk(await call(site.baseUrl, undefined, 'GET', '/rest/api/2/serverInfo'), 200, 'serverInfo');
  expectOk(
    await api('GET', '/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS,EDIT_ISSUES&projectKey=ENG'),
    200,
    'mypermissions',
  );

  expectOk(await api('GET', '/rest/api/2/field'), 200, 'fields');
  expectOk(
    await api('POST', '/rest/api/2/field', {
      name: 'Customer tier',
      type: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield',
      searcherKey: 'com.atlassian.jira.plugin.system.customfieldtypes:textsearcher',
    }),
    201,
    'create field',
  );
  expectOk(await api('GET', '/rest/api/2/priority'), 200, 'priorities');
  expectOk(
    await api('POST', '/rest/api/2/priority', { name: 'Blocker', statusColor: '#ff0000' }),
    201,
    'create priority',
  );
  expectOk(await api('GET', '/rest/api/2/status'), 200, 'statuses');
  expectOk(await api('GET', '/rest/api/2/issuetype'), 200, 'issue types');
  expectOk(
    await api('POST', '/rest/api/2/issuetype', { name: 'Chore', type: 'standard' }),
    201,
    'create issue type',
  );
  const project = (await api('GET', '/rest/api/2/project/ENG')).json;
  expectOk(
    await api('GET', `/rest/api/2/issuetype/project?projectId=${project.id}`),
    200,
    'issue types of project',
  );
  expectOk(await api('GET', '/rest/api/2/issueLinkType'), 200, 'link types');
  expectOk(
    await api('POST', '/rest/api/2/issueLinkType', {
      name: 'Causes',
      inward: 'is caused by',
      outward: 'causes',
    }),
    201,
    'create link type',
  );

  expectOk(await api('GET', '/rest/api/2/project'), 200, 'projects');
  expectOk(await api('GET', '/rest/api/2/project/search?keys=ENG&maxResults=10'), 200, 'project search');
  expectOk(
    await api('PUT', '/rest/api/2/project/ENG', { description: 'Engineering work' }),
    200,
    'update project',
  );
  expectOk(await api('GET', '/rest/api/2/project/ENG/statuses'), 200, 'project statuses');
  expectOk(
    await api('POST', '/rest/api/2/project', {
      key: 'TMP',
      name: 'Temporary',
      projectTypeKey: 'software',
      ...(cloud ? { leadAccountId: me.accountId } : { lead: me.name }),
    }),
    201,
    'create project',
  );
  expectOk(await api('DELETE', '/rest/api/2/project/TMP'), 204, 'delete project');

  const types = (await api('GET', '/rest/api/2/issue/createmeta/ENG/issuetypes')).json;
  const taskId = (cloud ? types.issueTypes : types.values).find(
    (t: { name: string }) => t.name === 'Task',
  ).id;
  expectOk(
    await api('GET', `/rest/api/2/issue/createmeta/ENG/issuetypes/${taskId}`),
    200,
    'create meta fields',
  );

  const severity = [...site.state.customFields.values()].find((f) => f.name === 'Severity');
  const created = await api('POST', '/rest/api/2/issue', {
    fields: {
      project: { key: 'ENG' },
      issuetype: { id: taskId },
      summary: 'Staging VPN login fails',
      description: 'h3. What happens\nLogin fails with {{ERR_TLS}}.',
      priority: { name: 'High' },
      labels: ['vpn'],
      duedate: '2025-03-14',
      assignee: meRef,
      ...(severity ? { [severity.id]: { value: 'Sev-2' } } : {}),
    },
    properties: [{ key: 'jira-sync.link', value: { peer: 'HELP-1' } }],
  });
  expectOk(created, 201, 'create issue');
  const key: string = created.json.key;
  expectOk(
    await api('GET', `/rest/api/2/issue/${key}?expand=names,changelog,transitions&properties=*all`),
    200,
    'get issue',
  );
  expectOk(
    await api('GET', `/rest/api/2/issue/${key}?fields=summary,status,-description`),
    200,
    'get issue fields',
  );
  expectOk(
    await api('PUT', `/rest/api/2/issue/${key}`, {
      fields: { summary: 'Staging VPN login fails after rotation' },
    }),
    204,
    'edit',
  );
  expectOk(
    await api('PUT', `/rest/api/2/issue/${key}?returnIssue=true`, {
      update: { labels: [{ add: 'urgent' }] },
    }),
    200,
    'edit returning issue',
  );
  const transitions = (await api('GET', `/rest/api/2/issue/${key}/transitions`)).json.transitions;
  expectOk(
    await api('POST', `/rest/api/2/issue/${key}/transitions`, { transition: { id: transitions[0].id } }),
    204,
    'transition',
  );
  expectOk(await api('GET', `/rest/api/2/issue/${key}/changelog?startAt=0&maxResults=50`), 200, 'changelog');

  const comment = await api('POST', `/rest/api/2/issue/${key}/comment`, {
    body: 'Reproduced: *missing* intermediate cert.',
  });
  expectOk(comment, 201, 'add comment');
  expectOk(
    await api('GET', `/rest/api/2/issue/${key}/comment?orderBy=-created&expand=properties`),
    200,
    'comments',
  );
  expectOk(await api('GET', `/rest/api/2/issue/${key}/comment/${comment.json.id}`), 200, 'comment');
  expectOk(
    await api('PUT', `/rest/api/2/issue/${key}/comment/${comment.json.id}`, { body: 'Edited.' }),
    200,
    'edit comment',
  );
  expectOk(await api('DELETE', `/rest/api/2/issue/${key}/comment/${comment.json.id}`), 204, 'delete comment');

  const form = new FormData();
  form.append('file', new Blob([Buffer.from('log line\n'.repeat(100))], { type: 'text/plain' }), 'vpn.log');
  const uploaded = await api('POST', `/rest/api/2/issue/${key}/attachments`, form, {
    'X-Atlassian-Token': 'no-check',
  });
  expectOk(uploaded, 200, 'upload');
  const attachmentId: string = uploaded.json[0].id;
  expectOk(await api('GET', `/rest/api/2/attachment/${attachmentId}`), 200, 'attachment metadata');
  expectOk(
    await api('GET', `/rest/api/2/attachment/content/${attachmentId}?redirect=false`),
    200,
    'attachment content',
  );
  if (cloud) {
    const redirect = await api('GET', `/rest/api/2/attachment/content/${attachmentId}`);
    expectOk(redirect, 303, 'attachment redirect');
    expect((await fetch(redirect.headers.get('location') ?? '')).status).toBe(200);
  }
  expectOk(await api('DELETE', `/rest/api/2/attachment/${attachmentId}`), 204, 'delete attachment');

  const other = (
    await api('POST', '/rest/api/2/issue', {
      fields: { project: { key: 'ENG' }, issuetype: { id: taskId }, summary: 'Rotate cert' },
    })
  ).json;
  expectOk(
    await api('POST', '/rest/api/2/issueLink', {
      type: { name: 'Blocks' },
      inwardIssue: { key: other.key },
      outwardIssue: { key },
    }),
    201,
    'link issues',
  );
  const linkId: string = (await api('GET', `/rest/api/2/issue/${key}?fields=issuelinks`)).json.fields
    .issuelinks[0].id;
  expectOk(await api('GET', `/rest/api/2/issueLink/${linkId}`), 200, 'issue link');
  expectOk(await api('DELETE', `/rest/api/2/issueLink/${linkId}`), 204, 'delete link');

  const remote = {
    globalId: 'jira-sync:peer:10020',
    relationship: 'synced with',
    object: { url: 'https://peer.example/browse/HELP-1', title: 'HELP-1' },
  };
  const r1 = await api('POST', `/rest/api/2/issue/${key}/remotelink`, remote);
  expectOk(r1, 201, 'create remote link');
  expectOk(
    await api('POST', `/rest/api/2/issue/${key}/remotelink`, {
      ...remote,
      object: { ...remote.object, title: 'HELP-1 (moved)' },
    }),
    200,
    'upsert remote link',
  );
  expectOk(await api('GET', `/rest/api/2/issue/${key}/remotelink`), 200, 'remote links');
  expectOk(
    await api('GET', `/rest/api/2/issue/${key}/remotelink?globalId=${q(remote.globalId)}`),
    200,
    'remote link by globalId',
  );
  expectOk(await api('GET', `/rest/api/2/issue/${key}/remotelink/${r1.json.id}`), 200, 'remote link by id');
  expectOk(
    await api('PUT', `/rest/api/2/issue/${key}/remotelink/${r1.json.id}`, remote),
    204,
    'update remote link',
  );
  expectOk(
    await api('DELETE', `/rest/api/2/issue/${key}/remotelink/${r1.json.id}`),
    204,
    'delete remote link',
  );
  await api('POST', `/rest/api/2/issue/${key}/remotelink`, remote);
  expectOk(
    await api('DELETE', `/rest/api/2/issue/${key}/remotelink?globalId=${q(remote.globalId)}`),
    204,
    'delete remote link by globalId',
  );

  expectOk(
    await api('PUT', `/rest/api/2/issue/${key}/properties/jira-sync.state`, { base: 1 }),
    201,
    'set property',
  );
  expectOk(
    await api('PUT', `/rest/api/2/issue/${key}/properties/jira-sync.state`, { base: 2 }),
    200,
    'update property',
  );
  expectOk(await api('GET', `/rest/api/2/issue/${key}/properties`), 200, 'property keys');
  expectOk(await api('GET', `/rest/api/2/issue/${key}/properties/jira-sync.state`), 200, 'property');
  expectOk(
    await api('DELETE', `/rest/api/2/issue/${key}/properties/jira-sync.state`),
    204,
    'delete property',
  );

  const jql = 'project = ENG AND updated >= -5m ORDER BY updated DESC';
  if (cloud) {
    const first = await api('GET', `/rest/api/2/search/jql?jql=${q(jql)}&maxResults=1&fields=summary,status`);
    expectOk(first, 200, 'search/jql');
    expect(first.json.nextPageToken).toBeDefined();
    expectOk(
      await api('POST', '/rest/api/2/search/jql', {
        jql,
        nextPageToken: first.json.nextPageToken,
        maxResults: 1,
        fields: ['summary'],
      }),
      200,
      'search/jql POST',
    );
  } else {
    expectOk(await api('GET', `/rest/api/2/search?jql=${q(jql)}&startAt=0&maxResults=1`), 200, 'search');
    expectOk(
      await api('POST', '/rest/api/2/search', { jql, startAt: 1, maxResults: 1, fields: ['summary'] }),
      200,
      'search POST',
    );
  }

  const bob = site.user('bob');
  expectOk(
    await api(
      'GET',
      cloud ? `/rest/api/2/user?accountId=${q(bob.accountId ?? '')}` : '/rest/api/2/user?username=bob',
    ),
    200,
    'user',
  );
  expectOk(
    await api('GET', cloud ? '/rest/api/2/user/search?query=bob' : '/rest/api/2/user/search?username=bob'),
    200,
    'user search',
  );
  if (cloud)
    expectOk(await api('GET', `/rest/api/2/user/bulk?accountId=${q(bob.accountId ?? '')}`), 200, 'user bulk');
  const newUser = await api('POST', '/rest/api/2/user', {
    emailAddress: 'erin@acme.example',
    displayName: 'Erin',
    products: ['jira-software'],
  });
  expectOk(newUser, 201, 'create user');
  expectOk(
    await api(
      'DELETE',
      cloud
        ? `/rest/api/2/user?accountId=${q(newUser.json.accountId)}`
        : `/rest/api/2/user?accountId=x&username=${newUser.json.name}`,
    ),
    204,
    'delete user',
  );

  const hook = await api('POST', '/rest/webhooks/1.0/webhook', {
    name: 'jira-sync',
    url: 'http://127.0.0.1:9/webhooks/x',
    events: ['jira:issue_created'],
    filters: { 'issue-related-events-section': 'project = ENG' },
  });
  expectOk(hook, 201, 'admin webhook');
  const hookId = String(hook.json.self).split('/').pop();
  expectOk(await api('GET', '/rest/webhooks/1.0/webhook'), 200, 'admin webhooks');
  expectOk(await api('GET', `/rest/webhooks/1.0/webhook/${hookId}`), 200, 'admin webhook by id');
  expectOk(
    await api('PUT', `/rest/webhooks/1.0/webhook/${hookId}`, {
      name: 'jira-sync',
      url: 'http://127.0.0.1:9/w',
      events: [],
    }),
    200,
    'update admin webhook',
  );
  expectOk(await api('DELETE', `/rest/webhooks/1.0/webhook/${hookId}`), 204, 'delete admin webhook');

  if (cloud) {
    const token = sim.oauth.grant({
      clientId: CLIENT.clientId,
      accountId: me.accountId ?? '',
      scopes: ['manage:jira-webhook', 'read:jira-work'],
    });
    const gw = (method: string, path: string, body?: unknown) =>
      call(`${sim.gatewayUrl}/ex/jira/${site.cloudId}`, `Bearer ${token.access_token}`, method, path, body);
    const registered = await gw('POST', '/rest/api/3/webhook', {
      url: 'http://127.0.0.1:9/webhooks/oauth',
      webhooks: [{ events: ['jira:issue_updated'], jqlFilter: 'project = ENG', fieldIdsFilter: ['summary'] }],
    });
    expectOk(registered, 200, 'register dynamic webhook');
    const id: number = registered.json.webhookRegistrationResult[0].createdWebhookId;
    expectOk(await gw('GET', '/rest/api/3/webhook?startAt=0&maxResults=10'), 200, 'dynamic webhooks');
    expectOk(await gw('PUT', '/rest/api/3/webhook/refresh', { webhookIds: [id] }), 200, 'refresh');
    expectOk(await gw('GET', '/rest/api/3/webhook/failed'), 200, 'failed webhooks');
    expectOk(await gw('DELETE', '/rest/api/3/webhook', { webhookIds: [id] }), 202, 'delete dynamic webhook');
  }

  expectOk(await api('DELETE', `/rest/api/2/issue/${other.key}`), 204, 'delete issue');
}

async function serviceDeskScenario(site: Site): Promise<void> {
  const agent = client(site);
  const customer = client(site, 'carol');
  const cloud = site.flavour === 'cloud';
  const ref = (handle: string) => site.state.userRef(site.user(handle));
  const users = (handles: string[]) =>
    cloud ? { accountIds: handles.map(ref) } : { usernames: handles.map(ref) };

  expectOk(await agent('GET', '/rest/servicedeskapi/info'), 200, 'info');
  const desks = (await agent('GET', '/rest/servicedeskapi/servicedesk?start=0&limit=10')).json;
  const deskId: string = desks.values[0].id;
  expectOk(await agent('GET', `/rest/servicedeskapi/servicedesk/${deskId}`), 200, 'service desk');
  const types = (await agent('GET', `/rest/servicedeskapi/servicedesk/${deskId}/requesttype`)).json.values;
  const typeId: string = types[0].id;
  expectOk(
    await agent('GET', `/rest/servicedeskapi/servicedesk/${deskId}/requesttype/${typeId}`),
    200,
    'request type',
  );
  expectOk(
    await agent('GET', `/rest/servicedeskapi/servicedesk/${deskId}/requesttype/${typeId}/field`),
    200,
    'request type fields',
  );
  const newType = await agent('POST', `/rest/servicedeskapi/servicedesk/${deskId}/requesttype`, {
    name: 'Access request',
    issueTypeId: types[0].issueTypeId,
    description: 'Ask for access',
  });
  expectOk(newType, 200, 'create request type');
  expectOk(
    await agent('DELETE', `/rest/servicedeskapi/servicedesk/${deskId}/requesttype/${newType.json.id}`),
    204,
    'delete request type',
  );
  expectOk(await agent('GET', '/rest/servicedeskapi/requesttype'), 200, 'all request types');

  const created = await agent('POST', '/rest/servicedeskapi/customer', {
    email: 'frank@customer.example',
    displayName: 'Frank',
  });
  expectOk(created, 201, 'create customer');
  const frank = cloud ? { accountIds: [created.json.accountId] } : { usernames: [created.json.name] };
  expectOk(
    await agent('POST', `/rest/servicedeskapi/servicedesk/${deskId}/customer`, frank),
    204,
    'add customer',
  );
  expectOk(await agent('GET', `/rest/servicedeskapi/servicedesk/${deskId}/customer`), 200, 'customers');
  expectOk(
    await agent('DELETE', `/rest/servicedeskapi/servicedesk/${deskId}/customer`, frank),
    204,
    'remove customer',
  );

  const request = await customer('POST', '/rest/servicedeskapi/request', {
    serviceDeskId: deskId,
    requestTypeId: typeId,
    requestFieldValues: { summary: 'Cannot connect to staging VPN', description: 'Since this morning.' },
  });
  expectOk(request, 201, 'customer raises request');
  const key: string = request.json.issueKey;
  expectOk(
    await agent('POST', '/rest/servicedeskapi/request', {
      serviceDeskId: deskId,
      requestTypeId: typeId,
      raiseOnBehalfOf: ref('carol'),
      requestFieldValues: { summary: 'Laptop replacement' },
    }),
    201,
    'agent raises on behalf',
  );
  expectOk(
    await customer('GET', '/rest/servicedeskapi/request?requestOwnership=OWNED_REQUESTS'),
    200,
    'my requests',
  );
  expectOk(
    await agent(
      'GET',
      `/rest/servicedeskapi/request/${key}?expand=requestType,serviceDesk,participant,status`,
    ),
    200,
    'request',
  );

  expectOk(
    await agent('POST', `/rest/servicedeskapi/request/${key}/comment`, {
      body: 'Internal: cert rotation.',
      public: false,
    }),
    201,
    'internal note',
  );
  const reply = await agent('POST', `/rest/servicedeskapi/request/${key}/comment`, {
    body: 'We are on it.',
    public: true,
  });
  expectOk(reply, 201, 'public reply');
  expectOk(
    await agent('GET', `/rest/servicedeskapi/request/${key}/comment?public=true&internal=true`),
    200,
    'comments',
  );
  expectOk(
    await agent('GET', `/rest/servicedeskapi/request/${key}/comment/${reply.json.id}`),
    200,
    'comment',
  );

  expectOk(
    await agent('POST', `/rest/servicedeskapi/request/${key}/participant`, users(['bob'])),
    200,
    'add participant',
  );
  expectOk(await agent('GET', `/rest/servicedeskapi/request/${key}/participant`), 200, 'participants');
  expectOk(
    await agent('DELETE', `/rest/servicedeskapi/request/${key}/participant`, users(['bob'])),
    200,
    'remove participant',
  );

  const form = new FormData();
  form.append('file', new Blob([Buffer.from('screenshot')], { type: 'image/png' }), 'error.png');
  const temp = await customer(
    'POST',
    `/rest/servicedeskapi/servicedesk/${deskId}/attachTemporaryFile`,
    form,
    { 'X-Atlassian-Token': 'no-check' },
  );
  expectOk(temp, 201, 'temporary file');
  expectOk(
    await customer('POST', `/rest/servicedeskapi/request/${key}/attachment`, {
      temporaryAttachmentIds: [temp.json.temporaryAttachments[0].temporaryAttachmentId],
      public: true,
      additionalComment: { body: 'Screenshot attached.' },
    }),
    201,
    'attach to request',
  );
  expectOk(
    await customer('GET', `/rest/servicedeskapi/request/${key}/attachment?start=0&limit=10`),
    200,
    'request attachments',
  );
  expectOk(await customer('GET', `/rest/servicedeskapi/request/${key}/status`), 200, 'status history');
  const transitions = (await customer('GET', `/rest/servicedeskapi/request/${key}/transition`)).json.values;
  expectOk(
    await customer('POST', `/rest/servicedeskapi/request/${key}/transition`, {
      id: transitions[0].id,
      additionalComment: { body: 'Works now.' },
    }),
    204,
    'customer transition',
  );
}

describe('contract coverage', () => {
  let sim: Simulator;
  let cloud: Site;
  let dc: Site;

  beforeAll(async () => {
    ({ sim, cloud, dc } = await startTwoSites());
  });
  afterAll(() => sim.stop());

  it('serves the platform API on Cloud without a contract violation', async () => {
    await platformScenario(sim, cloud);
    expect(cloud.contractViolations()).toEqual([]);
  });

  it('serves the platform API on Data Center without a contract violation', async () => {
    await platformScenario(sim, dc);
    expect(dc.contractViolations()).toEqual([]);
  });

  it('serves the Service Management API on both flavours without a contract violation', async () => {
    await serviceDeskScenario(cloud);
    await serviceDeskScenario(dc);
    sim.assertNoContractViolations();
  });

  it('drove every route it serves', () => {
    const seen = [...sim.sites].flatMap((s) => Object.keys(s.stats().requests));
    const missing = simulatedRoutes().filter((r) => {
      const root = API_ROOT[r.api as keyof typeof API_ROOT].replace('{version}', '[^/]+');
      const pattern = new RegExp(`^${r.method} ${root}${r.path.replace(/[{}]/g, (c) => `\\${c}`)}$`);
      return !seen.some((s) => pattern.test(s));
    });
    expect(missing.map((r) => `${r.method} ${r.api} ${r.path}`)).toEqual([]);
  });

  it('simulates every operation of the vendored contracts (all of contract/operations.ts)', () => {
    const specified = (Object.keys(CONTRACT_FILES) as ContractName[]).flatMap((name) => {
      const doc = JSON.parse(readFileSync(vendoredFile(name), 'utf8')) as {
        paths: Record<string, Record<string, { operationId?: string }>>;
      };
      return Object.values(doc.paths).flatMap((item) =>
        Object.values(item).flatMap((op) => (op.operationId ? [op.operationId] : [])),
      );
    });
    const served = new Set(
      sim.sites.flatMap((s) =>
        [...s.contracts.operations.values()]
          .filter((o) => [...o.statuses].some((st) => st < 300))
          .map((o) => o.operationId),
      ),
    );

    expect(specified.filter((id) => !served.has(id))).toEqual([]);
  });

  it('reports a request that breaks the contract', async () => {
    await client(cloud)('GET', '/rest/api/2/search/jql?jql=project%20%3D%20ENG&maxResults=lots');

    expect(cloud.contractViolations()).toEqual([
      expect.objectContaining({ direction: 'request', operationId: 'searchAndReconsileIssuesUsingJql' }),
    ]);
    expect(() => cloud.assertNoContractViolations()).toThrow(/maxResults/);
    cloud.clearContractViolations();
  });
});
