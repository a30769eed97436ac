import type { Config, Connection } from '../config/schema.ts';
import {
  deleteAdminWebhook,
  deleteDynamicWebhooks,
  listAdminWebhooks,
  listDynamicWebhooks,
} from '../jira/platform/webhooks.ts';
import {
  ADMIN_WEBHOOK_EVENTS,
  DYNAMIC_WEBHOOK_EVENTS,
  projectJql,
  projectsOf,
  type WebhookRegistration,
} from '../registrar/plan.ts';
import { type RegistrationResult, registerWebhook } from '../registrar/register.ts';
import { currentWebhookSecret } from '../registrar/secrets.ts';
import { CliFailure, CliUsageError, flag, stringOption } from './args.ts';
import { type Command, TARGET_HELP } from './command.ts';
import type { CliContext } from './context.ts';
import { manualWebhookSteps } from './doctor.ts';
import { paint } from './output.ts';

/**
 * `webhooks register | list | remove`: the registrar the deployment runs (`shared/registrar/`), on demand,
 * for connections that cannot register on deploy (`webhook.register: false`, or a first deploy before the
 * secrets were filled). Admin webhooks need the integration account to be a Jira administrator; OAuth
 * connections register dynamic webhooks.
 */

interface ListedWebhook {
  readonly id: string;
  readonly name: string | undefined;
  /** Without its query: a `?token=` is a secret. */
  readonly url: string;
  readonly events: readonly string[];
  readonly enabled: boolean | undefined;
  readonly expires: string | undefined;
}

const stripQuery = (url: string) => (url.split('?')[0] ?? url).replace(/\/+$/, '');

function selectConnections(config: Config, id: string | undefined, command: string): Connection[] {
  if (id === undefined) return config.connections;
  const connection = config.connections.find((c) => c.id === id);
  if (!connection) {
    const known = config.connections.map((c) => c.id).join(', ');
    throw new CliUsageError(`no connection "${id}" in the configuration (known: ${known})`, command);
  }
  return [connection];
}

/** Why the CLI cannot register this connection's webhook itself, if it cannot. */
export function cannotRegister(connection: Connection): string | undefined {
  if (connection.webhook.verify === 'bearer') {
    return 'it is verified with a bearer header, which only Jira Automation rules send: create the rule by hand';
  }
  if (connection.auth.type === 'oauth' && connection.webhook.verify !== 'url-token') {
    return 'OAuth apps register dynamic webhooks, which are not signed: use webhook.verify: url-token';
  }
  if (connection.flavor === 'datacenter' && connection.webhook.verify === 'hmac') {
    return 'Data Center webhooks are not signed: use webhook.verify: url-token';
  }
  return undefined;
}

export function registrationFor(config: Pick<Config, 'flows'>, connection: Connection): WebhookRegistration {
  const mode = connection.auth.type === 'oauth' ? 'dynamic' : 'admin';
  return {
    connectionId: connection.id,
    mode,
    events: mode === 'admin' ? [...ADMIN_WEBHOOK_EVENTS] : [...DYNAMIC_WEBHOOK_EVENTS],
    jql: projectJql(projectsOf(config, connection.id)),
  };
}

async function listFor(ctx: CliContext, connection: Connection): Promise<ListedWebhook[]> {
  const client = ctx.jira(connection);
  if (connection.auth.type === 'oauth') {
    return (await listDynamicWebhooks(client)).map((w) => ({
      id: String(w.id),
      name: undefined,
      url: stripQuery(w.url ?? ''),
      events: w.events,
      enabled: undefined,
      expires:
        w.expirationDate === undefined
          ? undefined
          : new Date(
              typeof w.expirationDate === 'number' ? w.expirationDate : Date.parse(w.expirationDate),
            ).toISOString(),
    }));
  }
  return (await listAdminWebhooks(client)).map((w) => ({
    id: w.id,
    name: w.name,
    url: stripQuery(w.url),
    events: w.events,
    enabled: w.enabled,
    expires: undefined,
  }));
}

export const webhooksRegisterCommand: Command = {
  words: ['webhooks', 'register'],
  summary: "create or update a connection's Jira webhook so it points at this deployment",
  usage: '[--connection <id>] (--local | --stack <name> --region <r>) [--json]',
  optionHelp: [['--connection <id>', 'only this connection (default: every connection)'], ...TARGET_HELP],
  details: [
    'Runs the same idempotent registration the deployment runs for webhook.register: admin webhooks (basic/pat auth; the integration account must be a Jira administrator) or dynamic webhooks (OAuth, refreshed for another 30 days). Duplicates for the same URL are removed. Connections verified with a bearer header (Jira Automation) cannot be registered this way: the exact manual steps are printed instead.',
  ],
  options: { connection: { type: 'string' } },
  async run(ctx, args) {
    const config = await ctx.config();
    const deployment = await ctx.deployment();
    if (!deployment.apiUrl)
      throw new CliFailure(`the deployment ${deployment.name} does not say its webhook URL`);
    const apiUrl = deployment.apiUrl;
    const connections = selectConnections(config, stringOption(args, 'connection'), 'webhooks register');
    const results: RegistrationResult[] = [];
    const p = paint(ctx.out);
    for (const connection of connections) {
      const problem = cannotRegister(connection);
      if (problem) {
        results.push({
          connectionId: connection.id,
          mode: 'admin',
          status: 'skipped',
          webhookIds: [],
          removedIds: [],
          message: problem,
        });
        continue;
      }
      results.push(
        await registerWebhook(connection, registrationFor(config, connection), {
          apiUrl,
          client: (c) => ctx.jira(c),
          webhookSecret: currentWebhookSecret(ctx.secrets),
        }),
      );
    }
    if (ctx.json) {
      ctx.out.line(JSON.stringify({ results }, null, 2));
    } else {
      for (const r of results) {
        const connection = config.connections.find((c) => c.id === r.connectionId) as Connection;
        const label =
          r.status === 'failed' ? p.red('FAIL') : r.status === 'skipped' ? p.yellow('skip') : p.green('ok  ');
        const ids = r.webhookIds.length > 0 ? ` webhook ${r.webhookIds.join(', ')}` : '';
        const removed = r.removedIds.length > 0 ? `, removed duplicates ${r.removedIds.join(', ')}` : '';
        const expires = r.expiresAt ? `, expires ${r.expiresAt}` : '';
        ctx.out.line(
          `${label}  ${r.connectionId}: ${r.mode} ${r.status}${ids}${removed}${expires}${r.message ? ` (${r.message})` : ''}`,
        );
        if (r.status === 'skipped' || r.status === 'failed') {
          for (const line of manualWebhookSteps(config, connection, deployment.webhookUrl(connection.id))) {
            ctx.out.line(`        ${p.dim(line)}`);
          }
        }
      }
    }
    return results.some((r) => r.status === 'failed') ? 1 : 0;
  },
};

export const webhooksListCommand: Command = {
  words: ['webhooks', 'list'],
  summary: "list each connection's Jira webhooks that point at jira-sync",
  usage: '[--connection <id>] [--all] [--local | --stack <name> --region <r>] [--json]',
  optionHelp: [
    ['--connection <id>', 'only this connection'],
    ['--all', "every webhook of the site, not only jira-sync's (…/webhooks/<connection id>)"],
    ...TARGET_HELP,
  ],
  details: ['URLs are shown without their query: a ?token= is a secret.'],
  options: { connection: { type: 'string' }, all: { type: 'boolean' } },
  async run(ctx, args) {
    const config = await ctx.config();
    const deployment = await ctx.maybeDeployment();
    const all = flag(args, 'all');
    const p = paint(ctx.out);
    const report: {
      connectionId: string;
      webhooks?: (ListedWebhook & { thisDeployment: boolean })[];
      error?: string;
    }[] = [];
    for (const connection of selectConnections(config, stringOption(args, 'connection'), 'webhooks list')) {
      const expected = deployment?.webhookUrl(connection.id);
      const path = `/webhooks/${encodeURIComponent(connection.id)}`;
      try {
        const webhooks = (await listFor(ctx, connection))
          .filter((w) => all || w.url.endsWith(path))
          .map((w) => ({ ...w, thisDeployment: expected !== undefined && w.url === stripQuery(expected) }));
        report.push({ connectionId: connection.id, webhooks });
      } catch (error) {
        report.push({
          connectionId: connection.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (ctx.json) {
      ctx.out.line(JSON.stringify({ connections: report }, null, 2));
    } else {
      for (const entry of report) {
        ctx.out.line(p.bold(`Connection ${entry.connectionId}`));
        if (entry.error) ctx.out.line(`  ${p.red('cannot list')}: ${entry.error}`);
        else if (entry.webhooks?.length === 0) ctx.out.line(`  ${p.yellow('none')}`);
        for (const w of entry.webhooks ?? []) {
          const state = w.enabled === false ? p.yellow(' (disabled)') : '';
          const mark = w.thisDeployment ? p.green(' ← this deployment') : '';
          const expiry = w.expires ? `, expires ${w.expires}` : '';
          ctx.out.line(
            `  ${w.id}  ${w.name ?? ''}${w.name ? '  ' : ''}${w.url}  ${w.events.length} events${expiry}${state}${mark}`,
          );
        }
      }
    }
    return report.some((r) => r.error) ? 1 : 0;
  },
};

export const webhooksRemoveCommand: Command = {
  words: ['webhooks', 'remove'],
  summary: "remove a connection's Jira webhooks that point at this deployment",
  usage: '--connection <id> [--id <webhook id>] [--dry-run] (--local | --stack <name> --region <r>) [--json]',
  optionHelp: [
    ['--connection <id>', 'the connection whose webhooks to remove'],
    ['--id <webhook id>', 'remove this webhook (any URL) instead of the ones pointing at this deployment'],
    ['--dry-run', 'show what would be removed'],
    ...TARGET_HELP,
  ],
  options: { connection: { type: 'string' }, id: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(ctx, args) {
    const connectionId = stringOption(args, 'connection');
    if (!connectionId)
      throw new CliUsageError('which connection? --connection <id> is required', 'webhooks remove');
    const config = await ctx.config();
    const [connection] = selectConnections(config, connectionId, 'webhooks remove');
    if (!connection) throw new CliUsageError(`no connection "${connectionId}"`, 'webhooks remove');
    const id = stringOption(args, 'id');
    const dryRun = flag(args, 'dry-run');
    const webhooks = await listFor(ctx, connection);
    let doomed: ListedWebhook[];
    if (id !== undefined) {
      doomed = webhooks.filter((w) => w.id === id);
      if (doomed.length === 0) throw new CliFailure(`connection ${connection.id} has no webhook ${id}`);
    } else {
      const expected = (await ctx.deployment()).webhookUrl(connection.id);
      if (!expected) throw new CliFailure('the deployment does not say its webhook URL; pass --id');
      doomed = webhooks.filter((w) => w.url === stripQuery(expected));
    }
    if (!dryRun && doomed.length > 0) {
      const client = ctx.jira(connection);
      if (connection.auth.type === 'oauth')
        await deleteDynamicWebhooks(
          client,
          doomed.map((w) => w.id),
        );
      else for (const w of doomed) await deleteAdminWebhook(client, w.id);
    }
    if (ctx.json) {
      ctx.out.line(JSON.stringify({ dryRun, removed: doomed }, null, 2));
    } else {
      for (const w of doomed) ctx.out.line(`${dryRun ? 'would remove' : 'removed'}  ${w.id}  ${w.url}`);
      ctx.out.line(
        `${doomed.length} webhook${doomed.length === 1 ? '' : 's'} ${dryRun ? 'would be ' : ''}removed from ${connection.id}`,
      );
    }
    return 0;
  },
};
