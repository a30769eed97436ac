import { describe, expect, it } from 'vitest';
import { collect } from '../../shared/jira/paging.ts';
import { addCustomers, createCustomer, listCustomers } from '../../shared/jira/servicedesk/customers.ts';
import {
  addParticipants,
  listParticipants,
  removeParticipants,
} from '../../shared/jira/servicedesk/participants.ts';
import { addRequestComment, listRequestComments } from '../../shared/jira/servicedesk/request-comments.ts';
import { createRequest } from '../../shared/jira/servicedesk/requests.ts';
import {
  getRequestTypeFields,
  getServiceDesk,
  listRequestTypes,
  listServiceDesks,
} from '../../shared/jira/servicedesk/service-desks.ts';
import { example } from '../helpers/jira-examples.ts';
import { useJira } from '../helpers/jira-fixture.ts';

const jira = useJira({ flavor: 'cloud', serviceManagement: true });

describe('service desks and request types', () => {
  it('lists service desks, page after page until isLastPage', async () => {
    const page = example<Record<string, unknown>>('getServiceDesks');
    jira.server.once('GET', '/rest/servicedeskapi/servicedesk', {
      status: 200,
      json: { ...page, start: 0, isLastPage: false },
    });
    jira.server.once('GET', '/rest/servicedeskapi/servicedesk', {
      status: 200,
      json: { ...page, start: 3, isLastPage: true },
    });

    const desks = await listServiceDesks(jira.client);

    expect(desks.map((d) => d.projectKey)).toEqual(['ITH', 'HR', 'FL', 'ITH', 'HR', 'FL']);
    expect(jira.server.requests.map((r) => r.query.get('start'))).toEqual(['0', '3']);
  });

  it('reads one service desk', async () => {
    jira.server.on('GET', '/rest/servicedeskapi/servicedesk/28', {
      status: 200,
      json: example('getServiceDeskById'),
    });

    expect((await getServiceDesk(jira.client, '28')).projectKey).toBeDefined();
  });

  it('lists request types and the fields of one', async () => {
    jira.server.on('GET', '/rest/servicedeskapi/servicedesk/28/requesttype', {
      status: 200,
      json: { ...example('getRequestTypes'), isLastPage: true },
    });
    jira.server.on('GET', '/rest/servicedeskapi/servicedesk/28/requesttype/25/field', {
      status: 200,
      json: example('getRequestTypeFields'),
    });

    const types = await listRequestTypes(jira.client, '28');
    const fields = await getRequestTypeFields(jira.client, '28', '25');

    expect(types.map((t) => t.name)).toEqual(['Get IT Help', 'Request a new account', 'Hardware request']);
    expect(fields).toMatchObject({ canRaiseOnBehalfOf: true });
    expect(fields.requestTypeFields.map((f) => f.fieldId)).toEqual([
      'summary',
      'customfield_10000',
      'customfield_10001',
    ]);
  });
});

describe('customer requests', () => {
  it('creates a request on behalf of a customer, with participants', async () => {
    jira.server.on('POST', '/rest/servicedeskapi/request', {
      status: 201,
      json: example('createCustomerRequest', '201'),
    });

    const created = await createRequest(jira.client, {
      serviceDeskId: '10',
      requestTypeId: '25',
      requestFieldValues: { summary: 'Printer on fire', description: 'See *ENG-7*' },
      raiseOnBehalfOf: 'qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b',
      requestParticipants: ['5b10ac8d82e05b22cc7d4ef5'],
    });

    expect(created).toMatchObject({ issueId: '107001', issueKey: 'HELPDESK-1' });
    expect(jira.server.requests[0]?.json).toEqual({
      serviceDeskId: '10',
      requestTypeId: '25',
      requestFieldValues: { summary: 'Printer on fire', description: 'See *ENG-7*' },
      raiseOnBehalfOf: 'qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b',
      requestParticipants: ['5b10ac8d82e05b22cc7d4ef5'],
    });
  });

  it('adds internal and public comments through the request comment API', async () => {
    const answer = example<Record<string, unknown>>('createRequestComment', '201');
    jira.server.once('POST', '/rest/servicedeskapi/request/HELP-2/comment', {
      status: 201,
      json: { ...answer, public: false },
    });
    jira.server.once('POST', '/rest/servicedeskapi/request/HELP-2/comment', { status: 201, json: answer });

    const internal = await addRequestComment(jira.client, 'HELP-2', { body: 'agents only', public: false });
    const visible = await addRequestComment(jira.client, 'HELP-2', { body: 'Hello there', public: true });

    expect([internal.public, visible.public]).toEqual([false, true]);
    expect(jira.server.requests.map((r) => r.json)).toEqual([
      { body: 'agents only', public: false },
      { body: 'Hello there', public: true },
    ]);
  });

  it('lists the internal comments of a request', async () => {
    jira.server.on('GET', '/rest/servicedeskapi/request/HELP-2/comment', {
      status: 200,
      json: { ...example('getRequestComments'), isLastPage: true },
    });

    const comments = await collect(listRequestComments(jira.client, 'HELP-2', { public: false }));

    expect(comments.length).toBeGreaterThan(0);
    expect(jira.server.requests[0]?.query.get('public')).toBe('false');
  });

  it('lists, adds and removes participants by accountId on Cloud', async () => {
    const page = { ...example('getRequestParticipants'), isLastPage: true };
    jira.server.on('GET', '/rest/servicedeskapi/request/HELP-2/participant', { status: 200, json: page });
    jira.server.on('POST', '/rest/servicedeskapi/request/HELP-2/participant', {
      status: 200,
      json: example('addRequestParticipants'),
    });
    jira.server.on('DELETE', '/rest/servicedeskapi/request/HELP-2/participant', {
      status: 200,
      json: example('removeRequestParticipants'),
    });

    const listed = await listParticipants(jira.client, 'HELP-2');
    await addParticipants(jira.client, 'HELP-2', ['5b10ac8d82e05b22cc7d4ef5']);
    await removeParticipants(jira.client, 'HELP-2', ['5b10ac8d82e05b22cc7d4ef5']);

    expect(listed[0]?.displayName).toBe('Fred F. User');
    expect(jira.server.requests.slice(1).map((r) => r.json)).toEqual([
      { accountIds: ['5b10ac8d82e05b22cc7d4ef5'] },
      { accountIds: ['5b10ac8d82e05b22cc7d4ef5'] },
    ]);
  });
});

describe('customers', () => {
  it('lists customers with the experimental-API opt-in header', async () => {
    jira.server.on('GET', '/rest/servicedeskapi/servicedesk/28/customer', {
      status: 200,
      json: { ...example('getCustomers'), isLastPage: true },
    });

    const customers = await listCustomers(jira.client, '28', 'fred');

    expect(customers.map((c) => c.emailAddress)).toEqual(['fred@example.com']);
    expect(jira.server.requests[0]?.headers['x-experimentalapi']).toBe('opt-in');
    expect(jira.server.requests[0]?.query.get('query')).toBe('fred');
  });

  it('creates a customer and adds customers to a service desk', async () => {
    jira.server.on('POST', '/rest/servicedeskapi/customer', {
      status: 201,
      json: example('createCustomer', '201'),
    });
    jira.server.on('POST', '/rest/servicedeskapi/servicedesk/28/customer', { status: 204 });

    const customer = await createCustomer(jira.client, {
      email: 'fred@example.com',
      displayName: 'Fred F. User',
    });
    await addCustomers(jira.client, '28', [customer.accountId ?? '']);

    expect(jira.server.requests.map((r) => r.json)).toEqual([
      { email: 'fred@example.com', displayName: 'Fred F. User' },
      { accountIds: [customer.accountId] },
    ]);
  });
});
