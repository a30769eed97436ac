import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { loadConfigFile, parseConfigText } from '../../../shared/config/load.ts';
import { configJsonSchema } from '../../../shared/config/write-json-schema.ts';

const valid = `
connections:
  - id: acme-cloud
    flavor: cloud
    baseUrl: https://acme.atlassian.net
    auth: { type: basic, secret: jira-sync/acme/auth }
    webhook: { verify: hmac, secret: jira-sync/acme/webhook }
    serviceManagement: true
    integrationAccount: { accountId: 5b10ac8d82e05b22cc7d4ef5 }
  - id: acme-dc
    flavor: datacenter
    baseUrl: https://jira.acme.internal/jira
    auth: { type: pat, secret: arn:aws:secretsmanager:eu-west-1:123456789012:secret:jira-dc-AbCdEf }
    webhook: { verify: url-token, secret: jira-sync/acme-dc/webhook }
`;

function problemsOf(text: string): ConfigError {
  try {
    parseConfigText(text, 'jira-sync.config.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config loader', () => {
  it('parses a valid file and fills defaults', () => {
    const config = parseConfigText(valid, 'jira-sync.config.yaml');
    expect(config.connections.map((c) => c.id)).toEqual(['acme-cloud', 'acme-dc']);
    expect(config.connections[1]?.serviceManagement).toBe(false);
    expect(config.ingest).toEqual({ maxBodyBytes: 1_048_576, secretTtlSeconds: 300 });
  });

  it('names the file, key path, line and expectation of a bad value', () => {
    const error = problemsOf(valid.replace('verify: hmac', 'verify: signature'));
    expect(error.message).toContain('jira-sync.config.yaml');
    expect(error.problems).toEqual([
      expect.objectContaining({ path: 'connections[0].webhook.verify', line: 7 }),
    ]);
    expect(error.message).toMatch(
      /connections\[0\]\.webhook\.verify \(line 7\): .*"hmac"\|"bearer"\|"url-token"/,
    );
  });

  it('takes a per-connection rate limit, filling the burst, and names a bad one', () => {
    const paced = valid.replace(
      '    serviceManagement: true\n',
      '    serviceManagement: true\n    rateLimit: { requestsPerSecond: 4 }\n',
    );
    expect(parseConfigText(paced, 'jira-sync.config.yaml').connections[0]?.rateLimit).toEqual({
      requestsPerSecond: 4,
      burst: 20,
    });
    const error = problemsOf(paced.replace('requestsPerSecond: 4', 'requestsPerSecond: 0'));
    expect(error.problems).toEqual([
      expect.objectContaining({ path: 'connections[0].rateLimit.requestsPerSecond', line: 9 }),
    ]);
  });

  it('reports a missing key at its parent line', () => {
    const error = problemsOf(valid.replace('    flavor: datacenter\n', ''));
    expect(error.problems[0]).toMatchObject({ path: 'connections[1].flavor', line: 10 });
    expect(error.problems[0]?.message).toMatch(/^missing/);
  });

  it('refuses unknown keys (typos must not be ignored)', () => {
    const error = problemsOf(valid.replace('serviceManagement: true', 'serviceManagment: true'));
    expect(error.problems[0]).toMatchObject({ path: 'connections[0]' });
    expect(error.message).toContain('serviceManagment');
  });

  it('refuses duplicate connection ids', () => {
    const error = problemsOf(valid.replace('id: acme-dc', 'id: acme-cloud'));
    expect(error.message).toContain('duplicate connection id "acme-cloud"');
  });

  it('refuses OAuth on Data Center', () => {
    const error = problemsOf(valid.replace('type: pat', 'type: oauth'));
    expect(error.problems[0]?.path).toBe('connections[1].auth.type');
  });

  it('refuses ids that cannot appear in a URL', () => {
    const error = problemsOf(valid.replace('id: acme-dc', 'id: Acme DC'));
    expect(error.problems[0]?.path).toBe('connections[1].id');
  });

  it('refuses a non-http base URL', () => {
    const error = problemsOf(valid.replace('https://acme.atlassian.net', 'ftp://acme'));
    expect(error.problems[0]?.path).toBe('connections[0].baseUrl');
  });

  it('reports YAML syntax errors with a line', () => {
    const error = problemsOf('connections:\n  - id: [unclosed\n');
    expect(error.problems[0]?.path).toBe('(yaml)');
    expect(error.problems[0]?.line).toBeGreaterThan(0);
  });

  it('reports an empty file', () => {
    const error = problemsOf('');
    expect(error.problems[0]?.path).toBe('connections');
  });

  it('names a missing file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'absent.yaml');
    expect(() => loadConfigFile(file)).toThrow(
      `Invalid jira-sync configuration in ${file}:\n  - (file): file not found`,
    );
  });

  it('loads from disk', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'c.yaml');
    writeFileSync(file, valid);
    expect(loadConfigFile(file).connections).toHaveLength(2);
  });

  it('generates a JSON Schema from the same schema for editors', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['connections', 'ingest']));
    expect(JSON.stringify(schema)).toContain('url-token');
  });
});
