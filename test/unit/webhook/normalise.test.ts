import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBody } from '../../../shared/webhook/body.ts';
import { WebhookRejected } from '../../../shared/webhook/errors.ts';
import { type Normalised, normalise, webhookIdentifier } from '../../../shared/webhook/normalise.ts';
import { syncEventSchema } from '../../../shared/webhook/sync-event.ts';

const dir = join(import.meta.dirname, '../../fixtures/webhooks');
const raw = (file: string) => readFileSync(join(dir, file));

function run(file: string, headers: Record<string, string> = {}): Normalised {
  const body = raw(file);
  const contentType = file.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json';
  return normalise(parseBody(body, contentType), {
    connectionId: 'acme',
    headers: { 'x-atlassian-webhook-identifier': 'wh-42', ...headers },
    body,
    receivedAt: 1_741_602_000_000,
  });
}

function events(file: string) {
  const result = run(file);
  if (result.type !== 'events') throw new Error(`${file}: expected events, got ${result.type}`);
  for (const e of result.events) expect(syncEventSchema.parse(e)).toEqual(e);
  return result.events;
}

const ALICE = '5b10ac8d82e05b22cc7d4ef5';
const BOB = '712020:0e3f2a7c-9b1d-4c8e-a1f2-3b4c5d6e7f80';

describe('normalise real payloads', () => {
  it.each([
    ['cloud-issue-created.json', 'issue_created', { id: '10002', key: 'ENG-2' }, { accountId: ALICE }],
    ['cloud-issue-updated.json', 'issue_updated', { id: '10002', key: 'ENG-2' }, undefined],
    ['cloud-issue-deleted.json', 'issue_deleted', { id: '10002', key: 'OPS-7' }, { accountId: ALICE }],
    ['cloud-issue-property-set.json', 'issue_property_set', { id: '10002', key: 'ENG-2' }, undefined],
    ['jsm-issue-created.json', 'issue_created', { id: '10020', key: 'HELP-2' }, undefined],
    ['dc-issue-created.json', 'issue_created', { id: '10412', key: 'ENG-42' }, undefined],
  ])('%s → %s', (file, kind, issue, actor) => {
    const [event, ...rest] = events(file);
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({ kind, issue, connectionId: 'acme', webhookId: 'wh-42' });
    if (actor) expect(event?.actor).toEqual(actor);
    expect(event?.jiraTimestamp).toBeGreaterThan(1_600_000_000_000);
  });

  it('keeps the changed fields of an update as a hint', () => {
    expect(events('cloud-issue-updated.json')[0]).toMatchObject({
      eventTypeName: 'issue_generic',
      changedFields: ['status'],
      actor: { accountId: BOB },
    });
  });

  it('accepts issue_assigned with an empty changelog', () => {
    const [event] = events('cloud-issue-assigned-empty-changelog.json');
    expect(event).toMatchObject({ kind: 'issue_updated', eventTypeName: 'issue_assigned' });
    expect(event?.changedFields).toBeUndefined();
  });

  it('maps a moved issue by id; the new key is only a hint', () => {
    const [event] = events('cloud-issue-moved.json');
    expect(event).toMatchObject({ issue: { id: '10002', key: 'OPS-7' }, eventTypeName: 'issue_moved' });
    expect(event?.changedFields).toEqual(expect.arrayContaining(['project', 'Key']));
  });

  it('takes a Data Center actor by username', () => {
    expect(events('dc-issue-updated.json')[0]?.actor).toEqual({ username: 'bob' });
  });

  it.each([
    ['cloud-comment-created.json', 'comment_created'],
    ['cloud-comment-updated.json', 'comment_updated'],
    ['cloud-comment-deleted.json', 'comment_deleted'],
  ])('%s carries the trimmed issue and the comment id', (file, kind) => {
    expect(events(file)[0]).toMatchObject({ kind, issue: { id: '10002' }, commentId: '10050' });
  });

  it('takes the comment actor from the comment (comment events have no user)', () => {
    expect(events('cloud-comment-updated.json')[0]?.actor).toEqual({ accountId: BOB });
  });

  it('finds the issue of a Data Center comment in the comment link', () => {
    expect(events('dc-comment-created.json')[0]).toMatchObject({
      kind: 'comment_created',
      issue: { id: '10412' },
      commentId: '10810',
      actor: { username: 'bob' },
    });
  });

  it.each(['jsm-comment-created-internal.json', 'jsm-comment-created-public.json'])('%s', (file) => {
    expect(events(file)[0]).toMatchObject({ kind: 'comment_created', issue: { id: '10020', key: 'HELP-2' } });
  });

  it.each([
    ['cloud-worklog-created.json', 'worklog_created'],
    ['cloud-worklog-updated.json', 'worklog_updated'],
    ['cloud-worklog-deleted.json', 'worklog_deleted'],
  ])('%s names only the issue id', (file, kind) => {
    expect(events(file)[0]).toMatchObject({ kind, issue: { id: '10002' }, worklogId: '10400' });
  });

  it.each([
    ['cloud-issuelink-created.json', 'issuelink_created'],
    ['cloud-issuelink-deleted.json', 'issuelink_deleted'],
  ])('%s reconciles both linked issues', (file, kind) => {
    const list = events(file);
    expect(list.map((e) => e.issue)).toEqual([{ id: '10002' }, { id: '10020' }]);
    expect(list.every((e) => e.kind === kind && e.issueLinkId === '10300')).toBe(true);
  });

  it.each([
    'cloud-project-created.json',
    'cloud-user-created.json',
    'cloud-version-released.json',
    // Cloud attachment events name no issue; Jira's jira:issue_updated for the same change does.
    'cloud-attachment-created.json',
    'cloud-attachment-deleted.json',
  ])('%s concerns no issue', (file) => {
    expect(run(file)).toEqual({ type: 'no-issue', webhookEvent: expect.any(String) });
  });

  it.each([
    ['automation-issue-data.json', { id: '10002', key: 'ENG-2' }],
    ['automation-jira-format.json', { id: '10002', key: 'ENG-2' }],
    ['automation-custom.json', { id: '10002', key: 'ENG-2' }],
    ['automation-custom.form.txt', { id: '10002', key: 'ENG-2' }],
  ])('%s → automation event', (file, issue) => {
    expect(events(file)[0]).toMatchObject({ kind: 'automation', issue });
  });
});

describe('delivery headers', () => {
  it('keeps retry count and flow', () => {
    const result = run('cloud-issue-updated.json', {
      'x-atlassian-webhook-retry': '2',
      'x-atlassian-webhook-flow': 'Secondary',
    });
    expect(result.type === 'events' && result.events[0]).toMatchObject({ retry: 2, flow: 'Secondary' });
  });

  it('ignores nonsense retry and flow values', () => {
    const result = run('cloud-issue-updated.json', {
      'x-atlassian-webhook-retry': 'x',
      'x-atlassian-webhook-flow': 'Tertiary',
    });
    expect(result.type === 'events' && result.events[0]?.retry).toBe(0);
    expect(result.type === 'events' && result.events[0]?.flow).toBeUndefined();
  });

  it('falls back to a body hash when Jira sends no identifier (Data Center)', () => {
    const body = raw('dc-issue-updated.json');
    const id = webhookIdentifier({}, body);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(webhookIdentifier({}, body)).toBe(id);
    expect(webhookIdentifier({ 'x-atlassian-webhook-identifier': 'bad id with spaces' }, body)).toBe(id);
  });
});

describe('bodies that name no usable issue', () => {
  const meta = { connectionId: 'acme', headers: {}, body: new Uint8Array([1]), receivedAt: 1 };
  const rejected = (body: Record<string, unknown>) => {
    try {
      normalise(body, meta);
    } catch (e) {
      if (e instanceof WebhookRejected) return e;
    }
    throw new Error('expected WebhookRejected');
  };

  it('refuses an issue event whose issue has neither a valid id nor key', () => {
    expect(
      rejected({ webhookEvent: 'jira:issue_updated', issue: { id: 'abc', key: 'lower case' } }),
    ).toMatchObject({
      status: 400,
      reason: 'invalid-issue',
    });
  });

  it('refuses a custom body without an issue', () => {
    expect(rejected({ event: 'escalate' })).toMatchObject({ status: 400, reason: 'no-issue' });
  });

  it('refuses a wrongly typed webhookEvent', () => {
    expect(rejected({ webhookEvent: 42 })).toMatchObject({ status: 400, reason: 'invalid-payload' });
  });

  it('accepts a key-only custom body (the worker resolves the id)', () => {
    const result = normalise({ issueKey: 'ENG-9' }, meta);
    expect(result.type === 'events' && result.events[0]?.issue).toEqual({ key: 'ENG-9' });
  });
});

describe('body parsing', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('parses JSON with or without a content type', () => {
    expect(parseBody(enc('{"a":1}'), undefined)).toEqual({ a: 1 });
    expect(parseBody(enc('{"a":1}'), 'application/json; charset=UTF-8')).toEqual({ a: 1 });
  });
  it('parses form bodies, expanding a JSON object field', () => {
    expect(
      parseBody(enc('issue=%7B%22id%22%3A%2210002%22%7D&x=1'), 'application/x-www-form-urlencoded'),
    ).toEqual({
      issue: { id: '10002' },
      x: '1',
    });
  });
  it.each([
    ['', 'application/json', 400],
    ['[1,2]', 'application/json', 400],
    ['null', 'application/json', 400],
    ['{', 'application/json', 400],
    ['<xml/>', 'application/xml', 415],
    ['', 'application/x-www-form-urlencoded', 400],
  ])('refuses %j as %s with %i', (text, type, status) => {
    expect(() => parseBody(enc(text), type)).toThrow(WebhookRejected);
    try {
      parseBody(enc(text), type);
    } catch (e) {
      expect((e as WebhookRejected).status).toBe(status);
    }
  });
});

describe('untrusted event names', () => {
  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'maps %s to "other", never to a prototype member',
    (name) => {
      const result = normalise(
        { webhookEvent: name, issue: { id: '10002', key: 'ENG-2' } },
        { connectionId: 'acme', headers: {}, body: new Uint8Array([1]), receivedAt: 1 },
      );
      expect(result.type === 'events' && result.events[0]?.kind).toBe('other');
      if (result.type === 'events')
        for (const e of result.events) expect(syncEventSchema.parse(e)).toEqual(e);
    },
  );
});
