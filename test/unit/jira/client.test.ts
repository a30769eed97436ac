import { describe, expect, it } from 'vitest';
import { jiraClients } from '../../../shared/jira/client.ts';
import { testConnection } from '../../helpers/jira-client.ts';
import { MemorySecretStore } from '../../helpers/jira-secrets.ts';

describe('jiraClients', () => {
  it('keeps one client per connection, so pacing and pauses survive warm invocations', () => {
    const clientFor = jiraClients({ secrets: new MemorySecretStore() });
    const cloud = testConnection({
      id: 'cloud',
      flavor: 'cloud',
      baseUrl: 'https://a.atlassian.net',
      auth: { type: 'basic', secret: 's' },
    });
    const dc = testConnection({
      id: 'dc',
      flavor: 'datacenter',
      baseUrl: 'https://jira.acme.internal',
      auth: { type: 'pat', secret: 's' },
    });

    expect(clientFor(cloud)).toBe(clientFor(cloud));
    expect(clientFor(dc)).not.toBe(clientFor(cloud));
    expect(clientFor(dc)).toMatchObject({ connectionId: 'dc', flavor: 'datacenter', authType: 'pat' });
  });
});
