import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { parseConfigText } from '../../../shared/config/load.ts';

const connections = `
connections:
  - id: cloud
    flavor: cloud
    baseUrl: https://acme.atlassian.net
    auth: { type: basic, secret: a }
    webhook: { verify: hmac, secret: w }
    serviceManagement: true
  - id: dc
    flavor: datacenter
    baseUrl: https://jira.acme.internal
    auth: { type: pat, secret: b }
    webhook: { verify: url-token, secret: v }
`;

const problems = (text: string) => {
  try {
    parseConfigText(text, 'c.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
  }
  throw new Error('expected a ConfigError');
};

describe('flows in the config', () => {
  it('fills defaults for a minimal flow', () => {
    const config = parseConfigText(
      `${connections}
flows:
  - id: help-to-eng
    source: { connection: cloud, project: HELP }
    target: { connection: dc, project: ENG, issueType: Bug }
`,
      'c.yaml',
    );
    expect(config.flows[0]).toMatchObject({
      direction: 'two-way',
      conflictPolicy: 'newest-wins',
      fields: [
        { source: 'summary' },
        { source: 'description' },
        { source: 'priority' },
        { source: 'labels' },
      ],
      comments: { public: false, internalToPublic: false, attribution: true },
      attachments: { maxBytes: 10 * 1024 * 1024 },
      onSourceDeleted: { action: 'comment' },
      users: { match: ['table', 'accountId', 'email'], table: {}, noteOriginal: true },
    });
  });

  it('names a flow that refers to an unknown connection, with the key path and line', () => {
    const list = problems(`${connections}
flows:
  - id: f
    source: { connection: cloud, project: HELP }
    target: { connection: nope, project: ENG, issueType: Bug }
`);
    expect(list).toEqual([
      expect.objectContaining({
        path: 'flows[0].target.connection',
        message: 'no connection "nope" (known: cloud, dc)',
      }),
    ]);
    expect(list[0]?.line).toBeGreaterThan(15);
  });

  it('refuses a request type on a site without Jira Service Management', () => {
    const list = problems(`${connections}
flows:
  - id: f
    source: { connection: cloud, project: HELP }
    target: { connection: dc, project: ENG, requestType: Incident }
`);
    expect(list[0]?.path).toBe('flows[0].target.requestType');
  });

  it('needs exactly one of issueType and requestType', () => {
    const list = problems(`${connections}
flows:
  - id: f
    source: { connection: cloud, project: HELP }
    target: { connection: cloud, project: ENG }
`);
    expect(list[0]).toMatchObject({
      path: 'flows[0].target',
      message: 'give exactly one of issueType or requestType',
    });
  });

  it('refuses duplicate flow ids and a flow from a project into itself', () => {
    const list = problems(`${connections}
flows:
  - id: f
    source: { connection: cloud, project: HELP }
    target: { connection: cloud, project: help, issueType: Task }
  - id: f
    source: { connection: cloud, project: A }
    target: { connection: dc, project: B, issueType: Task }
`);
    expect(list.map((p) => p.path).sort()).toEqual(['flows[0].target.project', 'flows[1].id']);
  });
});
