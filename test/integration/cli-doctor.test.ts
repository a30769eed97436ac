import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check, DoctorReport } from '../../shared/cli/doctor.ts';
import { localStackFile } from '../../shared/cli/target.ts';
import { type CliStack, freePort, projectGrants, SECRET_VALUES, startCliStack } from './cli-support.ts';

// `jira-sync doctor` and `jira-sync webhooks` against the local stack and the Jira simulator: a healthy
// deployment passes; a missing project permission and a missing webhook are found, named, and explained.

const BIN = fileURLToPath(new URL('../../bin/jira-sync.mjs', import.meta.url));

describe('jira-sync doctor', () => {
  let env: CliStack;

  beforeAll(async () => {
    env = await startCliStack();
  });

  afterAll(async () => {
    await env?.stop();
  });

  const checksOf = (report: DoctorReport, where: Partial<Check>) =>
    report.checks.filter((c) => Object.entries(where).every(([k, v]) => c[k as keyof Check] === v));

  it('passes on a healthy deployment, checking sites, accounts, permissions, mappings and webhooks', async () => {
    const run = await env.cli(['doctor', '--local']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Connection demo-cloud (cloud');
    expect(run.stdout).toMatch(/ok {4}auth: credentials work: jira-sync acts as .*5b10ac8d82e05b22cc7d4ef5/);
    expect(run.stdout).toContain(`webhook 1 → ${env.stack.apiUrl}/webhooks/demo-dc`);
    expect(run.stdout).toContain('ENG on demo-dc (target): all 10 permissions the flow needs');
    expect(run.stdout).toContain('all good: 0 problems');
  });

  it('names the missing project permissions, with what each is for and where to grant them', async () => {
    const grants = projectGrants(env.eng, 'ENG', 'jira-sync');
    grants.delete('LINK_ISSUES');
    grants.delete('DELETE_OWN_COMMENTS');
    try {
      const run = await env.cli(['doctor', '--local']);
      const json = await env.cli(['doctor', '--local', '--json']);

      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        'FAIL  permissions: ENG on demo-dc (target): missing DELETE_OWN_COMMENTS, LINK_ISSUES',
      );
      expect(run.stdout).toContain('LINK_ISSUES: needed to link the two issues');
      expect(run.stdout).toContain(
        'grant them to jira-sync (username jira-sync) (or a group or project role it belongs to)',
      );
      expect(run.stdout).toContain('1 problem, 0 warnings');
      expect(json.code).toBe(1);
      const report = json.json<DoctorReport>();
      expect(report.ok).toBe(false);
      expect(checksOf(report, { check: 'permissions:demo-dc:ENG' })).toEqual([
        expect.objectContaining({ status: 'fail', missing: ['DELETE_OWN_COMMENTS', 'LINK_ISSUES'] }),
      ]);
      expect(checksOf(report, { check: 'permissions:demo-cloud:HELP' })[0]?.status).toBe('ok');
    } finally {
      grants.add('LINK_ISSUES');
      grants.add('DELETE_OWN_COMMENTS');
    }
  });

  it('finds a missing webhook, prints the exact steps, and webhooks register fixes it', async () => {
    const saved = [...env.eng.registry.admin.values()];
    env.eng.registry.admin.clear();

    const missing = await env.cli(['doctor', '--local', '--connection', 'demo-dc', '--json']);
    const [webhook] = checksOf(missing.json<DoctorReport>(), { check: 'webhook' });

    expect(missing.code).toBe(1);
    expect(webhook).toMatchObject({
      status: 'fail',
      message: `no webhook points at ${env.stack.apiUrl}/webhooks/demo-dc`,
    });
    expect(webhook?.hint).toEqual(
      expect.arrayContaining([
        '  Administration (cog) → System → WebHooks → Create a WebHook',
        `  URL: ${env.stack.apiUrl}/webhooks/demo-dc?token=<the value of secret jira-sync/demo-dc/webhook>`,
        expect.stringMatching(
          /^ {2}Events: jira:issue_created, jira:issue_updated, jira:issue_deleted, comment_created/,
        ),
        '  JQL filter: project IN ("ENG")',
      ]),
    );

    const dry = await env.cli(['webhooks', 'remove', '--local', '--connection', 'demo-dc', '--dry-run']);
    expect(dry.stdout).toContain('0 webhooks would be removed from demo-dc');

    const registered = await env.cli(['webhooks', 'register', '--local', '--connection', 'demo-dc']);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(/ok {4}demo-dc: admin created webhook \d+/);

    const listed = await env.cli(['webhooks', 'list', '--local', '--connection', 'demo-dc']);
    expect(listed.stdout).toContain(`${env.stack.apiUrl}/webhooks/demo-dc  13 events ← this deployment`);
    const fixed = await env.cli(['doctor', '--local', '--connection', 'demo-dc']);
    expect(fixed.code).toBe(0);

    // The registered webhook carries the token: a delivery from Jira reaches the ingest and is accepted.
    const [created] = [...env.eng.registry.admin.values()];
    expect(created?.url).toMatch(/\?token=/);
    env.eng.registry.admin.clear();
    for (const w of saved) env.eng.registry.admin.set(w.id, w);
  });

  it('says why a site cannot be reached and does not check its flows further', async () => {
    const closed = await freePort();
    const config = await readFile(env.stack.configPath, 'utf8');
    const file = join(env.stateDir, 'dead-dc.yaml');
    await writeFile(file, config.replace(env.eng.baseUrl, `http://127.0.0.1:${closed}`));

    const run = await env.cli(['doctor', '--local', '--config', file, '--json']);
    const report = run.json<DoctorReport>();

    expect(run.code).toBe(1);
    expect(checksOf(report, { subject: 'demo-dc', check: 'reachable' })[0]).toMatchObject({ status: 'fail' });
    expect(checksOf(report, { subject: 'help-to-eng' })).toEqual([
      expect.objectContaining({ status: 'fail', message: expect.stringContaining('not checked: demo-dc') }),
    ]);
  });

  it('refuses unknown connections and bad usage with one line and exit code 2', async () => {
    const unknown = await env.cli(['doctor', '--local', '--connection', 'nope']);
    const usage = await env.cli(['doctor', '--local', '--stack', 'x']);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'jira-sync doctor: no connection "nope" in the configuration (known: demo-cloud, demo-dc)',
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')).toHaveLength(1);
  });

  it('runs as npx jira-sync: the bin finds the running stack through .local/stack.json', async () => {
    await writeFile(join(env.stateDir, 'stack.json'), JSON.stringify(localStackFile(env.stack)));
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [BIN, 'status', '--local', '--local-file', join(env.stateDir, 'stack.json'), '--json'],
          { cwd: env.stateDir, env: { ...process.env, NO_COLOR: '1' } },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    env.printed.push(run.stdout, run.stderr);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      deployment: { kind: 'local' },
      queue: { visible: expect.any(Number) },
      flows: [expect.objectContaining({ flowId: 'help-to-eng' })],
    });
  });

  it('never printed a secret value in any of the above', () => {
    const all = env.printed.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const secret of SECRET_VALUES) expect(all).not.toContain(secret);
  });
});
