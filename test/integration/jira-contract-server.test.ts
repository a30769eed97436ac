import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { testClient, testConnection } from '../helpers/jira-client.ts';
import { MemorySecretStore } from '../helpers/jira-secrets.ts';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.ts';

// The client tests rely on the test server's contract checks; these show the checks find real mistakes,
// so an empty violation list means something.
let jira: JiraServer;
beforeAll(async () => {
  jira = await startJiraServer();
});
afterAll(() => jira.stop());

function client() {
  const connection = testConnection({
    flavor: 'cloud',
    baseUrl: jira.url,
    auth: { type: 'pat', secret: 's' },
  });
  return testClient(connection, new MemorySecretStore({ s: { token: 't' } })).client;
}

describe('the contract-checking test server', () => {
  it('reports a request the OpenAPI contract refuses', async () => {
    jira.reset();
    jira.on('POST', '/rest/servicedeskapi/request/HELP-1/comment', {
      status: 201,
      json: { id: '1', body: 'x', public: true },
    });

    await client().send({
      operation: 'createRequestComment',
      method: 'POST',
      path: '/rest/servicedeskapi/request/HELP-1/comment',
      json: { body: 'x', internal: true },
      expect: z.unknown(),
    });

    expect(jira.violations).toEqual([
      expect.stringContaining('must NOT have additional properties (internal)'),
    ]);
  });

  it('reports a canned answer the contract refuses, and an endpoint Jira does not have', async () => {
    jira.reset();
    jira.on('GET', '/rest/api/2/issue/ENG-1', { status: 200, json: { id: 10002, key: 'ENG-1' } });
    jira.on('GET', '/rest/api/2/dashboard', { status: 200, json: {} });
    const c = client();

    await c.send({
      operation: 'getIssue',
      method: 'GET',
      path: '/rest/api/2/issue/ENG-1',
      expect: z.unknown(),
    });
    await c.send({
      operation: 'dashboards',
      method: 'GET',
      path: '/rest/api/2/dashboard',
      expect: z.unknown(),
    });

    expect(jira.violations).toEqual([
      expect.stringContaining('getIssue response 200: /id must be string'),
      expect.stringContaining('no such operation'),
      expect.stringContaining('no such operation'),
    ]);
  });
});
