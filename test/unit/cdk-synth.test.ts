import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const outDirs: string[] = [];

/** The real CLI, offline: no telemetry, no notices, dummy environment, no credentials or IMDS to ask. */
async function cdkSynth(
  configFile: string,
): Promise<{ code: number; stdout: string; stderr: string; out: string }> {
  const out = mkdtempSync(join(tmpdir(), 'jira-sync-synth-'));
  outDirs.push(out);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DEFAULT_ACCOUNT: '123456789012',
    CDK_DEFAULT_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(out, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(out, 'no-aws-credentials'),
  };
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    delete env[name];
  }
  const args = ['cdk', 'synth', '--no-notices', '--quiet', '-c', `config=${configFile}`, '-o', out];
  try {
    const { stdout, stderr } = await run('npx', args, { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr, out };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '', out };
  }
}

interface Synthesized {
  out: string;
  assetPath: string;
  oauthAssetPath: string;
  /** Bundle directory of each jira-sync function, by construct id. */
  assets: Record<string, string>;
}

let valid: Promise<Synthesized> | undefined;

/** One bundling synth of the valid fixture, shared by the tests that inspect its output. */
function synthesized(): Promise<Synthesized> {
  valid ??= (async () => {
    const result = await cdkSynth('test/fixtures/config/valid.yaml');
    if (result.code !== 0) throw new Error(`cdk synth failed:\n${result.stderr}`);
    const template = JSON.parse(readFileSync(join(result.out, 'JiraSync.template.json'), 'utf8'));
    const assetOf = (construct: string) =>
      Object.values(template.Resources as Record<string, Resource>).find(
        (r) =>
          r.Type === 'AWS::Lambda::Function' &&
          r.Metadata['aws:cdk:path']?.includes(`/${construct}/Function/Function/`),
      )?.Metadata['aws:asset:path'];
    const assets: Record<string, string> = {};
    for (const construct of ['WebhookIngest', 'OAuthConsent', 'SyncWorker', 'Sweep', 'WebhookRegistrar']) {
      const path = assetOf(construct);
      if (!path) throw new Error(`no bundled ${construct} function in the template`);
      assets[construct] = path;
    }
    return {
      out: result.out,
      assetPath: assets.WebhookIngest ?? '',
      oauthAssetPath: assets.OAuthConsent ?? '',
      assets,
    };
  })();
  return valid;
}

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

describe('cdk synth (real CLI)', () => {
  it('fails on an invalid config with the config message and no stack trace', async () => {
    const result = await cdkSynth('test/fixtures/config/invalid.yaml');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Invalid jira-sync configuration in test/fixtures/config/invalid.yaml:');
    expect(result.stderr).toContain('connections[0] (line 2): Unrecognized key: "webhookSecret"');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('bundles the ingest function with the config compiled in', async () => {
    const { out, assetPath } = await synthesized();

    const bundle = readFileSync(join(out, assetPath, 'index.mjs'), 'utf8');

    // Booleans, not toContain: a failure must not print a megabyte of minified code.
    const has = (text: string) => bundle.includes(text);
    expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
    // The define replaced the global: the bundle carries the file name and document, not a file read.
    expect(has('__JIRA_SYNC_CONFIG__')).toBe(false);
    expect(has('source:"test/fixtures/config/valid.yaml"')).toBe(true);
    expect(has('id:"acme-dc"')).toBe(true);
    expect(has('"https://jira.acme.internal/jira"')).toBe(true);
    // The document is validated by zod alone: no YAML parser travels to Lambda.
    expect(has('YAMLParseError')).toBe(false);
  }, 120_000);

  it('loads the bundled ingest handler with no config file to read', async () => {
    const { out, assetPath } = await synthesized();
    const env = {
      ...process.env,
      // Were the define missing, loadConfig() would throw at import: functions never read a config file.
      JIRA_SYNC_CONFIG: join(out, 'missing.yaml'),
      JIRA_SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync.fifo',
      AWS_REGION: 'eu-west-1',
    };
    const script = `const m = await import(${JSON.stringify(join(out, assetPath, 'index.mjs'))}); console.log(typeof m.handler);`;

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: out, env });

    expect(stdout.trim()).toBe('function');
  }, 120_000);
});

describe('cdk synth: the OAuth consent function', () => {
  it('bundles and loads with the config compiled in', async () => {
    const { out, oauthAssetPath } = await synthesized();
    const env = { ...process.env, JIRA_SYNC_CONFIG: join(out, 'missing.yaml'), AWS_REGION: 'eu-west-1' };
    const script = `const m = await import(${JSON.stringify(join(out, oauthAssetPath, 'index.mjs'))}); console.log(typeof m.handler);`;

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: out, env });

    expect(stdout.trim()).toBe('function');
  }, 120_000);
});

describe('cdk synth: worker, sweep and webhook registrar', () => {
  it.each(['SyncWorker', 'Sweep', 'WebhookRegistrar'])(
    '%s bundles and loads with the config compiled in and its environment set',
    async (construct) => {
      const { out, assets } = await synthesized();
      const env = {
        ...process.env,
        JIRA_SYNC_CONFIG: join(out, 'missing.yaml'),
        AWS_REGION: 'eu-west-1',
        JIRA_SYNC_STATE_TABLE: 'jira-sync-state',
        JIRA_SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync.fifo',
        JIRA_SYNC_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq.fifo',
        JIRA_SYNC_MAX_RECEIVE_COUNT: '5',
        JIRA_SYNC_API_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com/',
      };
      const bundle = join(out, assets[construct] ?? '', 'index.mjs');
      const script = `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`;

      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: out,
        env,
      });

      expect(stdout.trim()).toBe('function');
    },
    120_000,
  );
});

interface Resource {
  Type: string;
  Metadata: Record<string, string | undefined>;
}
