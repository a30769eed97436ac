import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { parseConfigText } from '../../../shared/config/load.ts';

function connection(overrides: {
  flavor?: string;
  auth?: string;
  verify?: string;
  register?: unknown;
}): string {
  const auth = overrides.auth ?? 'basic';
  return JSON.stringify({
    connections: [
      {
        id: 'acme',
        flavor: overrides.flavor ?? 'cloud',
        baseUrl: 'https://acme.atlassian.net',
        auth: { type: auth, secret: 'jira-sync/acme/auth' },
        webhook: {
          verify: overrides.verify ?? 'hmac',
          secret: 'jira-sync/acme/webhook',
          ...(overrides.register === undefined ? {} : { register: overrides.register }),
        },
      },
    ],
  });
}

function problem(overrides: Parameters<typeof connection>[0]): string {
  try {
    parseConfigText(connection(overrides), 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return 'valid';
}

describe('webhook.register in the config', () => {
  it('defaults to false (register by hand)', () => {
    const config = parseConfigText(connection({}), 'test.json');

    expect(config.connections[0]?.webhook.register).toBe(false);
  });

  it.each([
    { flavor: 'cloud', auth: 'basic', verify: 'hmac', register: 'admin' },
    { flavor: 'cloud', auth: 'basic', verify: 'url-token', register: 'admin' },
    { flavor: 'datacenter', auth: 'pat', verify: 'url-token', register: 'admin' },
    { flavor: 'datacenter', auth: 'basic', verify: 'url-token', register: 'admin' },
    { flavor: 'cloud', auth: 'oauth', verify: 'url-token', register: 'dynamic' },
    { flavor: 'cloud', auth: 'basic', verify: 'bearer', register: false },
  ])('accepts $register with $auth auth and $verify on $flavor', (c) => {
    expect(problem(c)).toBe('valid');
  });

  it.each([
    [
      { auth: 'basic', verify: 'url-token', register: 'dynamic' },
      'dynamic webhooks can only be registered by an OAuth 2.0 app',
    ],
    [
      { auth: 'oauth', verify: 'hmac', register: 'dynamic' },
      'dynamic webhooks are neither signed nor send headers',
    ],
    [
      { auth: 'oauth', verify: 'url-token', register: 'admin' },
      'admin webhooks cannot be managed with OAuth 2.0',
    ],
    [
      { auth: 'basic', verify: 'bearer', register: 'admin' },
      'Jira admin webhooks send no Authorization header',
    ],
    [
      { flavor: 'datacenter', auth: 'pat', verify: 'hmac', register: 'admin' },
      'Data Center webhooks are not signed',
    ],
    [{ register: true }, 'connections[0].webhook.register'],
  ])('refuses %j, naming the key', (c, message) => {
    const text = problem(c);

    expect(text).toContain(message);
    expect(text).toContain('connections[0].webhook.register');
  });
});
