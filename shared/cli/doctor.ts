import type { Flow } from '../config/flows.ts';
import type { Config, Connection } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import type { JiraClient } from '../jira/client.ts';
import { JiraAuthError, JiraNotFoundError, JiraPermissionError } from '../jira/errors.ts';
import { getMyPermissions, getMyself, getServerInfo } from '../jira/platform/server.ts';
import { listAdminWebhooks, listDynamicWebhooks } from '../jira/platform/webhooks.ts';
import type { JiraUser } from '../jira/schemas.ts';
import { ADMIN_WEBHOOK_EVENTS, DYNAMIC_WEBHOOK_EVENTS, projectJql, projectsOf } from '../registrar/plan.ts';
import { checkFlow } from '../sync/flow-check.ts';
import { JiraSite } from '../sync/jira-site.ts';
import { parseWebhookSecret } from '../webhook/webhook-secret.ts';
import { type ParsedArgs, stringOption } from './args.ts';
import { type Command, TARGET_HELP } from './command.ts';
import type { CliContext } from './context.ts';
import { paint } from './output.ts';
import { grantHint, PERMISSION_REASONS, requiredPermissions, type Side } from './permissions.ts';
import type { Deployment } from './target.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  readonly scope: 'deployment' | 'connection' | 'flow';
  /** The deployment name, connection id or flow id. */
  readonly subject: string;
  /** `reachable`, `auth`, `webhook`, `ingest`, `permissions:<connection>:<project>`, `mappings`, `queues`. */
  readonly check: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** Further lines: what to do. */
  readonly hint?: readonly string[];
  /** Permission keys the account lacks (permission checks). */
  readonly missing?: readonly string[];
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly deployment?: { readonly kind: string; readonly name: string; readonly region: string };
  readonly checks: readonly Check[];
}

/** The events the sync cannot do without; the registrar registers more (see `ADMIN_WEBHOOK_EVENTS`). */
const REQUIRED_EVENTS = DYNAMIC_WEBHOOK_EVENTS;

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Checks everything the sync needs, per connection and per flow, without changing anything: the site
 * answers and is the configured flavour, the credentials work and belong to the integration account, each
 * flow's projects grant the permissions the flow needs (naming the missing ones), the flow's mappings
 * resolve, and a webhook points at this deployment (or the exact steps to add one).
 */
export async function runDoctor(
  ctx: CliContext,
  options: { readonly connection?: string | undefined } = {},
): Promise<DoctorReport> {
  const config = await ctx.config();
  const deployment = await ctx.maybeDeployment();
  if (options.connection !== undefined && !config.connections.some((c) => c.id === options.connection)) {
    const known = config.connections.map((c) => c.id).join(', ');
    throw new DoctorUsage(`no connection "${options.connection}" in the configuration (known: ${known})`);
  }
  const connections = config.connections.filter(
    (c) => options.connection === undefined || c.id === options.connection,
  );
  const flows = config.flows.filter(
    (f) =>
      options.connection === undefined ||
      f.source.connection === options.connection ||
      f.target.connection === options.connection,
  );
  const checks: Check[] = [];
  if (deployment) checks.push(await checkDeployment(ctx, deployment));

  // Connections first: a flow on an unreachable or unauthorised site is not checked further.
  const accounts = new Map<string, string>();
  const connectionChecks = await Promise.all(
    connections.map((c) => checkConnection(ctx, config, c, deployment, accounts)),
  );
  const healthy = new Set<string>();
  connectionChecks.forEach((list, i) => {
    checks.push(...list);
    const id = connections[i]?.id;
    const basics = list.filter((c) => c.check === 'reachable' || c.check === 'auth');
    if (id && basics.every((c) => c.status !== 'fail')) healthy.add(id);
  });
  // Flows whose other side is outside --connection still need that side's site to be checked.
  for (const id of new Set(flows.flatMap((f) => [f.source.connection, f.target.connection]))) {
    if (connections.some((c) => c.id === id)) continue;
    const connection = config.connections.find((c) => c.id === id);
    if (connection && (await quickHealth(ctx, connection, accounts))) healthy.add(id);
  }
  const flowChecks = await Promise.all(
    flows.map((f) => checkFlowReadiness(ctx, config, f, healthy, accounts)),
  );
  for (const list of flowChecks) checks.push(...list);
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    ...(deployment
      ? { deployment: { kind: deployment.kind, name: deployment.name, region: deployment.region } }
      : {}),
    checks,
  };
}

class DoctorUsage extends Error {}

async function checkDeployment(ctx: CliContext, deployment: Deployment): Promise<Check> {
  const base = { scope: 'deployment' as const, subject: deployment.name, check: 'queues' };
  try {
    const [queue, dlq] = await Promise.all([
      ctx.queue.depth(deployment.queueUrl),
      ctx.queue.depth(deployment.dlqUrl),
    ]);
    await ctx.state(deployment.stateTable).sweepMark('doctor-probe');
    const stuck = dlq.visible + dlq.inFlight;
    return {
      ...base,
      status: stuck > 0 ? 'warn' : 'ok',
      message:
        `queue, dead-letter queue and state table reachable (${queue.visible + queue.inFlight} queued` +
        `, ${stuck} dead-lettered)`,
      ...(stuck > 0 ? { hint: ['see why: jira-sync dlq list; after a fix: jira-sync dlq redrive'] } : {}),
    };
  } catch (error) {
    return {
      ...base,
      status: 'fail',
      message: `the deployment's queues or state table cannot be read: ${reason(error)}`,
    };
  }
}

/** Reachable and authorised, without reporting (the other side of a flow outside `--connection`). */
async function quickHealth(
  ctx: CliContext,
  connection: Connection,
  accounts: Map<string, string>,
): Promise<boolean> {
  try {
    accounts.set(connection.id, accountLabel(connection, await getMyself(ctx.jira(connection))));
    return true;
  } catch {
    return false;
  }
}

/** How people recognise the account: display name and, in brackets, the id Jira knows it by. */
function accountLabel(connection: Connection, me: JiraUser): string {
  const id = connection.flavor === 'cloud' ? me.accountId : me.name;
  const kind = connection.flavor === 'cloud' ? 'accountId' : 'username';
  return `${me.displayName ?? id ?? 'unknown'}${id ? ` (${kind} ${id})` : ''}`;
}

async function checkConnection(
  ctx: CliContext,
  config: Config,
  connection: Connection,
  deployment: Deployment | undefined,
  accounts: Map<string, string>,
): Promise<Check[]> {
  const checks: Check[] = [];
  const at = (check: string, status: CheckStatus, message: string, hint?: readonly string[]): Check => ({
    scope: 'connection',
    subject: connection.id,
    check,
    status,
    message,
    ...(hint && hint.length > 0 ? { hint } : {}),
  });
  const client = ctx.jira(connection);

  let authFailedEarly: unknown;
  try {
    const info = await getServerInfo(client);
    const type = info.deploymentType ?? 'unknown';
    const actual =
      type === 'Cloud' ? 'cloud' : type === 'Server' || type === 'DataCenter' ? 'datacenter' : undefined;
    const what = `${info.serverTitle ?? 'Jira'} ${info.version ?? ''} (${type})`.replace(/\s+/g, ' ');
    if (actual !== undefined && actual !== connection.flavor) {
      checks.push(
        at('reachable', 'fail', `${what}, but the connection says flavor: ${connection.flavor}`, [
          `set flavor: ${actual} for connection ${connection.id} (search, users and webhooks differ per flavour)`,
        ]),
      );
    } else {
      checks.push(at('reachable', 'ok', `${connection.baseUrl} answers: ${what}`));
    }
  } catch (error) {
    if (error instanceof JiraAuthError) {
      checks.push(at('reachable', 'ok', `${connection.baseUrl} answers (but refuses the credentials)`));
      authFailedEarly = error;
    } else {
      checks.push(
        at('reachable', 'fail', `${connection.baseUrl} cannot be reached: ${reason(error)}`, [
          'check baseUrl, DNS, the network path from where jira-sync runs, and that the site is up',
        ]),
      );
      return checks;
    }
  }

  try {
    if (authFailedEarly) throw authFailedEarly;
    const me = await getMyself(client);
    const id = connection.flavor === 'cloud' ? me.accountId : me.name;
    const who = accountLabel(connection, me);
    accounts.set(connection.id, who);
    const configured =
      connection.flavor === 'cloud'
        ? connection.integrationAccount?.accountId
        : connection.integrationAccount?.username;
    if (configured === undefined) {
      checks.push(
        at('auth', 'warn', `credentials work: jira-sync acts as ${who}; integrationAccount is not set`, [
          `set integrationAccount: {${connection.flavor === 'cloud' ? 'accountId' : 'username'}: ${id ?? '…'}} so the ingest drops jira-sync's own webhooks early`,
        ]),
      );
    } else if (configured !== id) {
      checks.push(
        at('auth', 'fail', `credentials belong to ${who}, but integrationAccount names ${configured}`, [
          "the ingest would drop that account's changes as jira-sync's own and let jira-sync's own echo back: fix integrationAccount or the credentials",
        ]),
      );
    } else {
      checks.push(at('auth', 'ok', `credentials work: jira-sync acts as ${who} (the integration account)`));
    }
  } catch (error) {
    checks.push(
      at('auth', 'fail', `the credentials do not work: ${reason(error)}`, [
        `fix the secret ${connection.auth.secret} (${connection.auth.type}; shapes in README "Jira credentials")`,
      ]),
    );
    return checks;
  }

  checks.push(await checkWebhook(ctx, config, connection, client, deployment));
  if (deployment) checks.push(await checkIngest(ctx, connection, deployment));
  return checks;
}

const stripQuery = (url: string) => (url.split('?')[0] ?? url).replace(/\/+$/, '');
const tokenOf = (url: string) => {
  try {
    return new URL(url).searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
};

/** The exact steps to register a connection's webhook by hand. Secret values are named, never shown. */
export function manualWebhookSteps(
  config: Pick<Config, 'flows'>,
  connection: Connection,
  url: string | undefined,
): string[] {
  const target = url ?? `<api url>/webhooks/${connection.id}`;
  const jql = projectJql(projectsOf(config, connection.id)) ?? '(none: no flow uses this connection)';
  const secret = connection.webhook.secret;
  if (connection.webhook.verify === 'bearer') {
    return [
      'register it by hand (Jira Automation, verify: bearer):',
      '  Project settings → Automation → Create rule; trigger: Issue created / Issue updated / Comment added',
      `  action "Send web request": URL ${target}, method POST, body "Issue data (Jira format)"`,
      `  header Authorization: Bearer <the value of secret ${secret}>`,
    ];
  }
  if (connection.auth.type === 'oauth') {
    return [
      'register it (dynamic webhooks can only be registered by the OAuth app itself):',
      `  jira-sync webhooks register --connection ${connection.id}  (or set webhook.register: dynamic and redeploy)`,
      `  URL ${target}?token=<the value of secret ${secret}>, events ${DYNAMIC_WEBHOOK_EVENTS.join(', ')}, JQL ${jql}`,
    ];
  }
  const menu =
    connection.flavor === 'cloud'
      ? 'Jira settings (cog) → System → WebHooks → Create a WebHook'
      : 'Administration (cog) → System → WebHooks → Create a WebHook';
  return [
    'register it by hand (a Jira administrator):',
    `  ${menu}`,
    connection.webhook.verify === 'url-token'
      ? `  URL: ${target}?token=<the value of secret ${secret}>`
      : `  URL: ${target}`,
    ...(connection.webhook.verify === 'hmac' ? [`  Secret: the value of secret ${secret}`] : []),
    `  Events: ${ADMIN_WEBHOOK_EVENTS.join(', ')}`,
    `  JQL filter: ${jql}`,
    `  or let jira-sync do it: jira-sync webhooks register --connection ${connection.id} (or webhook.register: admin)`,
  ];
}

async function checkWebhook(
  ctx: CliContext,
  config: Config,
  connection: Connection,
  client: JiraClient,
  deployment: Deployment | undefined,
): Promise<Check> {
  const expected = deployment?.webhookUrl(connection.id);
  const steps = manualWebhookSteps(config, connection, expected);
  const at = (status: CheckStatus, message: string, hint: readonly string[] = steps): Check => ({
    scope: 'connection',
    subject: connection.id,
    check: 'webhook',
    status,
    message,
    ...(hint.length > 0 ? { hint } : {}),
  });
  if (connection.webhook.verify === 'bearer') {
    return at(
      'warn',
      'Jira Automation rules cannot be listed through the REST API, so this one is not checked',
    );
  }
  let webhooks: { id: string; url: string; events: readonly string[]; enabled: boolean | undefined }[];
  try {
    webhooks =
      connection.auth.type === 'oauth'
        ? (await listDynamicWebhooks(client)).map((w) => ({
            id: String(w.id),
            url: w.url ?? '',
            events: w.events,
            enabled: undefined,
          }))
        : await listAdminWebhooks(client);
  } catch (error) {
    if (error instanceof JiraPermissionError) {
      return at(
        'warn',
        'cannot list webhooks: the integration account is not a Jira administrator, so this is not checked',
      );
    }
    return at('fail', `cannot list webhooks: ${reason(error)}`);
  }
  const path = `/webhooks/${encodeURIComponent(connection.id)}`;
  const mine = webhooks.filter((w) =>
    expected ? stripQuery(w.url) === stripQuery(expected) : stripQuery(w.url).endsWith(path),
  );
  if (mine.length === 0) {
    const others = webhooks.filter((w) => stripQuery(w.url).endsWith(path)).map((w) => stripQuery(w.url));
    const elsewhere =
      others.length > 0 ? ` (${others.length} point at ${others.join(', ')}: another deployment?)` : '';
    return at(
      'fail',
      expected
        ? `no webhook points at ${expected}${elsewhere}`
        : `no webhook points at a jira-sync URL (…${path})`,
    );
  }
  const problems: string[] = [];
  const webhook = mine.find((w) => w.enabled !== false) ?? mine[0];
  if (!webhook) return at('fail', 'no usable webhook');
  if (webhook.enabled === false) problems.push('it is disabled');
  const missingEvents = REQUIRED_EVENTS.filter((e) => !webhook.events.includes(e));
  if (missingEvents.length > 0) problems.push(`it does not send ${missingEvents.join(', ')}`);
  if (connection.webhook.verify === 'url-token') {
    const token = tokenOf(webhook.url);
    let accepted: string[] = [];
    try {
      accepted = parseWebhookSecret(await ctx.secrets.read(connection.webhook.secret, { fresh: true }));
    } catch (error) {
      return at(
        'fail',
        `webhook ${webhook.id} found, but the webhook secret cannot be read: ${reason(error)}`,
        [`create or fix the secret ${connection.webhook.secret}`],
      );
    }
    if (token === undefined) problems.push('its URL has no ?token= (verify: url-token needs one)');
    else if (!accepted.includes(token))
      problems.push(
        `its ?token= is not the value of secret ${connection.webhook.secret} (deliveries get 401)`,
      );
  }
  const where = stripQuery(webhook.url);
  if (problems.length > 0) return at('fail', `webhook ${webhook.id} → ${where}: ${problems.join('; ')}`);
  const notes: string[] = [];
  if (!expected) notes.push('no deployment given (--local or --stack), so the URL was not compared with one');
  if (mine.length > 1)
    notes.push(`${mine.length} webhooks point here: Jira delivers every event ${mine.length} times`);
  if (connection.webhook.verify === 'hmac')
    notes.push("Jira never returns the signing secret: a wrong one shows up as 401s in Jira's webhook log");
  return {
    scope: 'connection',
    subject: connection.id,
    check: 'webhook',
    status: mine.length > 1 ? 'warn' : 'ok',
    message: `webhook ${webhook.id} → ${where} (${webhook.events.length} events)`,
    ...(notes.length > 0 ? { hint: notes } : {}),
  };
}

/** Posts an unsigned, empty delivery: the ingest must answer 401 (it exists, knows the connection, verifies). */
async function checkIngest(ctx: CliContext, connection: Connection, deployment: Deployment): Promise<Check> {
  const url = deployment.webhookUrl(connection.id);
  const at = (status: CheckStatus, message: string, hint?: readonly string[]): Check => ({
    scope: 'connection',
    subject: connection.id,
    check: 'ingest',
    status,
    message,
    ...(hint ? { hint } : {}),
  });
  if (!url) return at('warn', 'the deployment does not say its webhook URL');
  try {
    const answer = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    await answer.body?.cancel();
    if (answer.status === 401) return at('ok', `${url} answers and refuses unsigned deliveries (401)`);
    if (answer.status === 404)
      return at('fail', `${url} answers 404: the deployment does not know connection ${connection.id}`, [
        'deploy the configuration that has this connection (npx cdk deploy), or restart npm start',
      ]);
    return at('warn', `${url} answered ${answer.status} to an unsigned delivery (expected 401)`);
  } catch (error) {
    return at('fail', `${url} cannot be reached from here: ${reason(error)}`);
  }
}

async function checkFlowReadiness(
  ctx: CliContext,
  config: Config,
  flow: Flow,
  healthy: ReadonlySet<string>,
  accounts: ReadonlyMap<string, string>,
): Promise<Check[]> {
  const checks: Check[] = [];
  const connectionOf = (side: Side) =>
    config.connections.find((c) => c.id === flow[side].connection) as Connection;
  const unhealthy = (['source', 'target'] as const).filter((s) => !healthy.has(flow[s].connection));
  if (unhealthy.length > 0) {
    return [
      {
        scope: 'flow',
        subject: flow.id,
        check: 'mappings',
        status: 'fail',
        message: `not checked: ${unhealthy.map((s) => flow[s].connection).join(' and ')} failed the connection checks`,
      },
    ];
  }
  const sites = {
    source: new JiraSite(connectionOf('source'), ctx.jira(connectionOf('source'))),
    target: new JiraSite(connectionOf('target'), ctx.jira(connectionOf('target'))),
  };
  for (const side of ['source', 'target'] as const) {
    const account = accounts.get(flow[side].connection) ?? 'the integration account';
    checks.push(await checkPermissions(ctx, flow, side, connectionOf(side), sites[side], account));
  }
  try {
    const problems = await checkFlow(flow, sites);
    if (problems.length === 0) {
      checks.push({
        scope: 'flow',
        subject: flow.id,
        check: 'mappings',
        status: 'ok',
        message: 'projects, issue/request types, statuses and fields all resolve',
      });
    }
    for (const problem of problems) {
      checks.push({
        scope: 'flow',
        subject: flow.id,
        check: 'mappings',
        status: 'fail',
        message: problem.replace(new RegExp(`^flow ${flow.id}: `), ''),
      });
    }
  } catch (error) {
    checks.push({
      scope: 'flow',
      subject: flow.id,
      check: 'mappings',
      status: 'fail',
      message: `could not be checked: ${reason(error)}`,
    });
  }
  return checks;
}

async function checkPermissions(
  ctx: CliContext,
  flow: Flow,
  side: Side,
  connection: Connection,
  site: JiraSite,
  account: string,
): Promise<Check> {
  const project = flow[side].project;
  const base = {
    scope: 'flow' as const,
    subject: flow.id,
    check: `permissions:${connection.id}:${project}`,
  };
  const where = `${project} on ${connection.id} (${side})`;
  try {
    const description = await site.describeProject(project);
    if (!description) {
      return {
        ...base,
        status: 'fail',
        message: `project ${where} does not exist or the integration account cannot browse it`,
        missing: ['BROWSE_PROJECTS'],
        hint: [grantHint(connection.flavor, project, account, 1)],
      };
    }
    const needed = requiredPermissions(flow, side, description.requestTypes !== undefined);
    const granted = await getMyPermissions(ctx.jira(connection), {
      projectKey: project,
      permissions: needed,
    });
    const missing = needed.filter((p) => granted[p]?.havePermission !== true);
    if (missing.length === 0) {
      return { ...base, status: 'ok', message: `${where}: all ${needed.length} permissions the flow needs` };
    }
    return {
      ...base,
      status: 'fail',
      message: `${where}: missing ${missing.join(', ')}`,
      missing,
      hint: [
        ...missing.map((p) => `${p}: needed to ${PERMISSION_REASONS[p]}`),
        grantHint(connection.flavor, project, account, missing.length),
      ],
    };
  } catch (error) {
    if (error instanceof JiraNotFoundError) {
      return { ...base, status: 'fail', message: `project ${where} not found` };
    }
    return {
      ...base,
      status: 'fail',
      message: `${where}: permissions could not be read: ${error instanceof AppError ? error.message : reason(error)}`,
    };
  }
}

// --- rendering ---------------------------------------------------------------------------------------

export function renderDoctor(ctx: Pick<CliContext, 'out'>, config: Config, report: DoctorReport): void {
  const p = paint(ctx.out);
  const label = (s: CheckStatus) =>
    s === 'ok' ? p.green('ok  ') : s === 'warn' ? p.yellow('warn') : p.red(p.bold('FAIL'));
  const print = (check: Check) => {
    ctx.out.line(
      `  ${label(check.status)}  ${check.check.startsWith('permissions:') ? 'permissions' : check.check}: ${check.message}`,
    );
    for (const line of check.hint ?? []) ctx.out.line(`        ${p.dim(line)}`);
  };
  const groups = new Map<string, Check[]>();
  for (const check of report.checks) {
    const key = `${check.scope}\u0000${check.subject}`;
    groups.set(key, [...(groups.get(key) ?? []), check]);
  }
  for (const [key, checks] of groups) {
    const [scope, subject] = key.split('\u0000') as [Check['scope'], string];
    if (scope === 'deployment') {
      ctx.out.line(
        p.bold(
          `Deployment ${subject}${report.deployment ? ` (${report.deployment.kind}, ${report.deployment.region})` : ''}`,
        ),
      );
    } else if (scope === 'connection') {
      const c = config.connections.find((x) => x.id === subject);
      ctx.out.line(p.bold(`Connection ${subject}${c ? ` (${c.flavor}, ${c.baseUrl})` : ''}`));
    } else {
      const f = config.flows.find((x) => x.id === subject);
      ctx.out.line(
        p.bold(
          `Flow ${subject}${f ? ` (${f.source.connection} ${f.source.project} → ${f.target.connection} ${f.target.project})` : ''}`,
        ),
      );
    }
    for (const check of checks) print(check);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const summary = `${failed} problem${failed === 1 ? '' : 's'}, ${warned} warning${warned === 1 ? '' : 's'}`;
  ctx.out.line();
  ctx.out.line(
    failed > 0 ? p.red(summary) : warned > 0 ? p.yellow(summary) : p.green(`all good: ${summary}`),
  );
}

export const doctorCommand: Command = {
  words: ['doctor'],
  summary: 'check connections, credentials, permissions, flow mappings and webhooks',
  usage: '[--connection <id>] [--local | --stack <name> --region <r>] [--json]',
  optionHelp: [
    ['--connection <id>', 'check this connection (and the flows it takes part in) only'],
    ...TARGET_HELP,
  ],
  details: [
    "Checks, per connection: the site answers and is the configured flavour; the credentials work and belong to the integration account; a webhook points at this deployment (else the exact steps to register one); the deployment's ingest answers. Per flow: the permissions it needs on each project (the missing ones by name, and where to grant them) and that its projects, types, statuses and fields resolve.",
    'Changes nothing. Exit code 1 when any check fails, 0 otherwise (warnings included).',
  ],
  options: { connection: { type: 'string' } },
  async run(ctx: CliContext, args: ParsedArgs) {
    const connection = stringOption(args, 'connection');
    let report: DoctorReport;
    try {
      report = await runDoctor(ctx, { connection });
    } catch (error) {
      if (error instanceof DoctorUsage) {
        ctx.out.error(`jira-sync doctor: ${error.message}`);
        return 2;
      }
      throw error;
    }
    if (ctx.json) ctx.out.line(JSON.stringify(report, null, 2));
    else renderDoctor(ctx, await ctx.config(), report);
    return report.ok ? 0 : 1;
  },
};
