import { describe, expect, it } from 'vitest';
import { IngestUnavailable } from '../../../shared/webhook/errors.ts';
import { ingestWebhook } from '../../../shared/webhook/ingest.ts';
import {
  BEARER_SECRET,
  HMAC_SECRET,
  jsonBody,
  makeDeps,
  signedRequest,
  URL_SECRET,
} from '../../helpers/ingest-deps.ts';

const issueUpdated = {
  timestamp: 1_700_000_000_123,
  webhookEvent: 'jira:issue_updated',
  issue_event_type_name: 'issue_generic',
  user: { accountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077' },
  issue: { id: '10002', key: 'ENG-2', self: 'https://acme.atlassian.net/rest/api/2/10002' },
  changelog: { id: '10400', items: [{ field: 'status', fieldId: 'status', from: '1', to: '3' }] },
};

describe('ingestWebhook', () => {
  it('accepts a signed Jira webhook and enqueues one small event', async () => {
    const { deps, queue } = makeDeps();
    const outcome = await ingestWebhook(signedRequest(jsonBody(issueUpdated)), deps);
    expect(outcome).toMatchObject({ status: 202, outcome: 'accepted' });
    expect(queue.events).toEqual([
      {
        v: 1,
        connectionId: 'cloud',
        issue: { id: '10002', key: 'ENG-2' },
        kind: 'issue_updated',
        webhookEvent: 'jira:issue_updated',
        eventTypeName: 'issue_generic',
        actor: { accountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077' },
        jiraTimestamp: 1_700_000_000_123,
        webhookId: 'wh-1',
        retry: 0,
        receivedAt: 1_700_000_000_000,
        changedFields: ['status'],
      },
    ]);
  });

  it('answers 404 for an unknown connection without reading any secret', async () => {
    const { deps, secrets, queue } = makeDeps();
    const outcome = await ingestWebhook(
      signedRequest(jsonBody(issueUpdated), { connectionId: 'nope' }),
      deps,
    );
    expect(outcome).toMatchObject({ status: 404, reason: 'unknown-connection' });
    expect(secrets.fetches).toBe(0);
    expect(queue.events).toHaveLength(0);
  });

  it('answers 413 above the configured size before verifying', async () => {
    const { deps, secrets } = makeDeps();
    const big = jsonBody({ ...issueUpdated, pad: 'x'.repeat(70_000) });
    const outcome = await ingestWebhook(signedRequest(big), deps);
    expect(outcome).toMatchObject({ status: 413, reason: 'too-large' });
    expect(secrets.fetches).toBe(0);
  });

  it('answers 401 and enqueues nothing for a wrong signature', async () => {
    const { deps, queue } = makeDeps();
    const request = signedRequest(jsonBody(issueUpdated));
    const tampered = { ...request, body: jsonBody({ ...issueUpdated, issue: { id: '99999' } }) };
    const outcome = await ingestWebhook(tampered, deps);
    expect(outcome).toMatchObject({ status: 401, reason: 'bad-signature' });
    expect(queue.events).toHaveLength(0);
  });

  it('answers 401 when the signature header is missing', async () => {
    const { deps } = makeDeps();
    const outcome = await ingestWebhook(
      signedRequest(jsonBody(issueUpdated), { headers: { 'x-hub-signature': undefined } }),
      deps,
    );
    expect(outcome).toMatchObject({ status: 401, reason: 'missing-signature' });
  });

  it('refetches the secret once on a mismatch so a rotated secret verifies', async () => {
    const { deps, secrets, queue } = makeDeps();
    await ingestWebhook(signedRequest(jsonBody(issueUpdated)), deps); // warms the cache with the old value
    secrets.store.set('webhook/cloud', ['rotated-secret']);
    const { signBody } = await import('../../../shared/webhook/signature.ts');
    const body = jsonBody(issueUpdated);
    const outcome = await ingestWebhook(
      signedRequest(body, {
        headers: {
          'x-hub-signature': signBody('sha256', 'rotated-secret', body),
          'x-atlassian-webhook-identifier': 'wh-2',
        },
      }),
      deps,
    );
    expect(outcome.status).toBe(202);
    expect(secrets.forcedFetches).toBe(1);
    expect(queue.events).toHaveLength(2);
  });

  it('does not refetch when refetching is throttled, and still refuses', async () => {
    const { deps, secrets } = makeDeps();
    secrets.refetchAllowed = false;
    const body = jsonBody(issueUpdated);
    const outcome = await ingestWebhook(
      signedRequest(body, { headers: { 'x-hub-signature': `sha256=${'0'.repeat(64)}` } }),
      deps,
    );
    expect(outcome.status).toBe(401);
    expect(secrets.forcedFetches).toBe(0);
  });

  it('accepts both values while a secret rotates', async () => {
    const { deps, secrets } = makeDeps();
    secrets.store.set('webhook/cloud', ['new-one', HMAC_SECRET]);
    const outcome = await ingestWebhook(signedRequest(jsonBody(issueUpdated)), deps);
    expect(outcome.status).toBe(202);
  });

  it('verifies Automation bearer tokens', async () => {
    const { deps, queue } = makeDeps();
    const body = jsonBody({ issueId: '10002', issueKey: 'ENG-2' });
    const base = { connectionId: 'automation', query: {}, body, receivedAt: 1 };
    const ok = await ingestWebhook(
      { ...base, headers: { 'content-type': 'application/json', authorization: `Bearer ${BEARER_SECRET}` } },
      deps,
    );
    expect(ok).toMatchObject({ status: 202, outcome: 'accepted' });
    expect(queue.events[0]).toMatchObject({ kind: 'automation', issue: { id: '10002', key: 'ENG-2' } });
    const wrong = await ingestWebhook({ ...base, headers: { authorization: 'Bearer nope' } }, deps);
    expect(wrong).toMatchObject({ status: 401, reason: 'bad-signature' });
    const basic = await ingestWebhook(
      { ...base, headers: { authorization: `Basic ${BEARER_SECRET}` } },
      deps,
    );
    expect(basic).toMatchObject({ status: 401, reason: 'malformed-signature' });
  });

  it('verifies Data Center URL tokens', async () => {
    const { deps } = makeDeps();
    const body = jsonBody({ ...issueUpdated, user: { name: 'alice', key: 'JIRAUSER10100' } });
    const base = { connectionId: 'dc', headers: { 'content-type': 'application/json' }, body, receivedAt: 1 };
    expect(await ingestWebhook({ ...base, query: { token: URL_SECRET } }, deps)).toMatchObject({
      status: 202,
    });
    expect(await ingestWebhook({ ...base, query: { token: 'guess' } }, deps)).toMatchObject({ status: 401 });
    expect(await ingestWebhook({ ...base, query: {} }, deps)).toMatchObject({
      status: 401,
      reason: 'missing-signature',
    });
  });

  it('drops events caused by the integration account (Cloud accountId)', async () => {
    const { deps, queue } = makeDeps();
    const own = { ...issueUpdated, user: { accountId: '5b10ac8d82e05b22cc7d4ef5' } };
    const outcome = await ingestWebhook(signedRequest(jsonBody(own)), deps);
    expect(outcome).toMatchObject({ status: 202, outcome: 'ignored-own-change' });
    expect(queue.events).toHaveLength(0);
  });

  it('drops events caused by the integration account (Data Center username)', async () => {
    const { deps, queue } = makeDeps();
    const body = jsonBody({ ...issueUpdated, user: { name: 'jira-sync', key: 'JIRAUSER10000' } });
    const outcome = await ingestWebhook(
      { connectionId: 'dc', headers: {}, query: { token: URL_SECRET }, body, receivedAt: 1 },
      deps,
    );
    expect(outcome.outcome).toBe('ignored-own-change');
    expect(queue.events).toHaveLength(0);
  });

  it('answers 202 and queues nothing for events without an issue', async () => {
    const { deps, queue } = makeDeps();
    const body = jsonBody({
      timestamp: 1,
      webhookEvent: 'project_created',
      project: { id: '10000', key: 'ENG' },
    });
    const outcome = await ingestWebhook(signedRequest(body), deps);
    expect(outcome).toMatchObject({
      status: 202,
      outcome: 'ignored-no-issue',
      webhookEvent: 'project_created',
    });
    expect(queue.events).toHaveLength(0);
  });

  it('answers 400 with a short reason for malformed bodies', async () => {
    const { deps } = makeDeps();
    const body = new TextEncoder().encode('{"webhookEvent": ');
    expect(await ingestWebhook(signedRequest(body), deps)).toMatchObject({
      status: 400,
      reason: 'invalid-json',
    });
    const noIssue = jsonBody({ hello: 'world' });
    expect(await ingestWebhook(signedRequest(noIssue), deps)).toMatchObject({
      status: 400,
      reason: 'no-issue',
    });
  });

  it('answers 503 when the queue fails, so Jira retries', async () => {
    const { deps, queue } = makeDeps();
    queue.failWith = new IngestUnavailable('QUEUE_UNAVAILABLE', 'down');
    const outcome = await ingestWebhook(signedRequest(jsonBody(issueUpdated)), deps);
    expect(outcome).toMatchObject({ status: 503, reason: 'QUEUE_UNAVAILABLE' });
  });

  it('answers 503 when the secret cannot be read', async () => {
    const { deps, secrets, queue } = makeDeps();
    secrets.failWith = new IngestUnavailable('SECRET_UNAVAILABLE', 'cannot read');
    const outcome = await ingestWebhook(signedRequest(jsonBody(issueUpdated)), deps);
    expect(outcome).toMatchObject({ status: 503, reason: 'SECRET_UNAVAILABLE' });
    expect(queue.events).toHaveLength(0);
  });

  it('turns an unexpected failure into 503, never an unhandled error', async () => {
    const { deps } = makeDeps();
    const broken = { ...deps, enqueue: async () => Promise.reject(new TypeError('boom')) };
    const outcome = await ingestWebhook(signedRequest(jsonBody(issueUpdated)), broken);
    expect(outcome).toMatchObject({ status: 503, reason: 'INGEST_INTERNAL' });
  });

  it('never puts the secret into an outcome', async () => {
    const { deps } = makeDeps();
    const outcomes = await Promise.all([
      ingestWebhook(
        signedRequest(jsonBody(issueUpdated), { headers: { 'x-hub-signature': 'sha256=00' } }),
        deps,
      ),
      ingestWebhook(
        {
          connectionId: 'dc',
          headers: {},
          query: { token: 'x' },
          body: jsonBody(issueUpdated),
          receivedAt: 1,
        },
        deps,
      ),
    ]);
    const text = JSON.stringify(outcomes, (_k, v) => (v instanceof Error ? { message: v.message } : v));
    expect(text).not.toContain(HMAC_SECRET);
    expect(text).not.toContain(URL_SECRET);
  });
});
