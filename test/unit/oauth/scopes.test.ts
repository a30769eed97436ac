import { describe, expect, it } from 'vitest';
import { consentScopes } from '../../../shared/oauth/scopes.ts';
import { testConnection } from '../../helpers/jira-client.ts';

const oauth = (extra: Record<string, unknown> = {}, serviceManagement = false) =>
  testConnection({
    flavor: 'cloud',
    baseUrl: 'https://acme.atlassian.net',
    auth: { type: 'oauth', secret: 's', ...extra },
    serviceManagement,
  });

describe('consent scopes', () => {
  it('defaults to Jira work, users, dynamic webhooks and offline access', () => {
    expect(consentScopes(oauth())).toEqual([
      'read:jira-work',
      'write:jira-work',
      'read:jira-user',
      'manage:jira-webhook',
      'offline_access',
    ]);
  });

  it('adds the Service Management scopes when the site runs JSM', () => {
    expect(consentScopes(oauth({}, true))).toEqual(
      expect.arrayContaining([
        'read:servicedesk-request',
        'write:servicedesk-request',
        'manage:servicedesk-customer',
      ]),
    );
  });

  it('takes configured scopes, always with offline_access (no refresh token otherwise)', () => {
    expect(consentScopes(oauth({ scopes: ['read:jira-work'] }))).toEqual([
      'read:jira-work',
      'offline_access',
    ]);
  });
});
