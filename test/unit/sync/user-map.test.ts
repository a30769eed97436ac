import { describe, expect, it } from 'vitest';
import { flowSchema } from '../../../shared/config/flows.ts';
import { UserMap, userValue } from '../../../shared/sync/user-map.ts';
import { FakeSite } from '../../helpers/fake-site.ts';

const flow = (users: Record<string, unknown>) =>
  flowSchema.parse({
    id: 'f',
    source: { connection: 'cloud', project: 'HELP' },
    target: { connection: 'dc', project: 'ENG', issueType: 'Bug' },
    users,
  });

describe('user mapping', () => {
  const sites = () => {
    const cloud = new FakeSite('cloud');
    const dc = new FakeSite('dc', { flavor: 'datacenter' });
    dc.users.set('bmartins', { email: 'bob@acme.example', displayName: 'Bob' });
    cloud.users.set('712020:bob', { email: 'bob@acme.example', displayName: 'Bob' });
    return { source: cloud, target: dc };
  };

  it('reads the id the flavour uses', () => {
    expect(userValue({ accountId: 'a1', emailAddress: 'x@y', displayName: 'X' }, 'cloud')).toEqual({
      id: 'a1',
      email: 'x@y',
      displayName: 'X',
    });
    expect(userValue({ name: 'alice', key: 'JIRAUSER1' }, 'datacenter')).toEqual({ id: 'alice' });
    expect(userValue({ accountId: 'a1' }, 'datacenter')).toBeUndefined();
  });

  it('tries the table first, both ways', async () => {
    const map = new UserMap(flow({ table: { '712020:alice': 'achen' } }), sites());
    expect(await map.map({ id: '712020:alice' }, 'target')).toBe('achen');
    expect(await map.map({ id: 'achen' }, 'source')).toBe('712020:alice');
  });

  it('never finds Object.prototype members for odd usernames', async () => {
    const map = new UserMap(flow({ match: ['table'] }), sites());
    expect(await map.map({ id: 'constructor' }, 'target')).toBeUndefined();
    expect(await map.map({ id: 'toString' }, 'source')).toBeUndefined();
  });

  it('finds people by e-mail across Cloud and Data Center', async () => {
    const map = new UserMap(flow({}), sites());
    expect(await map.map({ id: '712020:bob', email: 'bob@acme.example' }, 'target')).toBe('bmartins');
    expect(await map.map({ id: 'bmartins', email: 'bob@acme.example' }, 'source')).toBe('712020:bob');
  });

  it('does not assume the same accountId across a Cloud and a Data Center site', async () => {
    const map = new UserMap(flow({ match: ['accountId'] }), sites());
    expect(await map.map({ id: '712020:bob' }, 'target')).toBeUndefined();
  });

  it('falls back to the configured user towards the target only', async () => {
    const map = new UserMap(flow({ fallback: 'jira-sync' }), sites());
    expect(await map.map({ id: 'nobody' }, 'target')).toBe('jira-sync');
    expect(await map.map({ id: 'nobody-dc' }, 'source')).toBeUndefined();
  });
});
