import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { type LoopbackListener, listenOnLoopback } from '../local/loopback-server.ts';
import { JiraError, SimulatorStartError, SimulatorUsageError } from './errors.ts';
import { faultsSchema } from './faults.ts';
import { isJson, parseJsonBody, readBody } from './http/body.ts';
import type { Simulator } from './simulator.ts';
import type { Site } from './site.ts';
import { adminWebhookInputSchema, automationRuleInputSchema } from './webhooks/registry.ts';

/**
 * A small HTTP API over the simulator for the local stack, benchmarks and curl: inspect sites, switch
 * faults, act as a human, bulk-seed issues, register webhooks, read contract violations and delivery logs.
 * Every body is validated with zod; errors answer `{error, issues?}` with 400/404.
 */

export interface AdminApi {
  readonly url: string;
  stop(): Promise<void>;
}

const handle = z.string().min(1);
const issueRef = z.string().min(1);

export const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('createIssue'),
    project: z.string(),
    issueType: z.string().optional(),
    summary: z.string().min(1),
    description: z.string().optional(),
    priority: z.string().optional(),
    assignee: handle.nullable().optional(),
    labels: z.array(z.string()).optional(),
  }),
  z.strictObject({
    type: z.literal('edit'),
    issue: issueRef,
    summary: z.string().optional(),
    description: z.string().nullable().optional(),
    priority: z.string().nullable().optional(),
    assignee: handle.nullable().optional(),
    labels: z.array(z.string()).optional(),
  }),
  z.strictObject({
    type: z.literal('comment'),
    issue: issueRef,
    body: z.string().min(1),
    internal: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('transition'), issue: issueRef, to: z.string().min(1) }),
  z.strictObject({
    type: z.literal('attach'),
    issue: issueRef,
    filename: z.string().min(1),
    contentBase64: z.string(),
    mimeType: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('link'), from: issueRef, to: issueRef, linkType: z.string().optional() }),
  z.strictObject({ type: z.literal('move'), issue: issueRef, project: z.string() }),
  z.strictObject({ type: z.literal('delete'), issue: issueRef }),
  z.strictObject({
    type: z.literal('raiseRequest'),
    serviceDesk: z.string(),
    requestType: z.string(),
    summary: z.string().min(1),
    description: z.string().optional(),
    onBehalfOf: handle.optional(),
  }),
]);

const actSchema = z.strictObject({ as: handle, action: actionSchema });
const bulkSchema = z.strictObject({
  as: handle,
  project: z.string(),
  count: z.number().int().min(1).max(100_000),
  summaryPrefix: z.string().default('Seeded issue'),
  issueType: z.string().optional(),
  /** Seeding sends no webhooks unless asked to. */
  webhooks: z.boolean().default(false),
});
const webhookSchema = adminWebhookInputSchema.extend({ as: handle.optional() });

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

class BadRequest extends Error {
  constructor(readonly issues: unknown) {
    super('invalid request');
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new BadRequest(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return parsed.data;
}

function act(site: Site, who: string, action: z.output<typeof actionSchema>): unknown {
  const human = site.as(who);
  switch (action.type) {
    case 'createIssue': {
      const { type: _, ...input } = action;
      return human.createIssue(input);
    }
    case 'edit': {
      const { type: _, issue, ...changes } = action;
      return human.edit(issue, changes);
    }
    case 'comment':
      return human.comment(
        action.issue,
        action.body,
        action.internal === undefined ? {} : { internal: action.internal },
      );
    case 'transition':
      return human.transition(action.issue, action.to);
    case 'attach':
      return human.attach(action.issue, {
        filename: action.filename,
        content: Buffer.from(action.contentBase64, 'base64'),
        ...(action.mimeType ? { mimeType: action.mimeType } : {}),
      });
    case 'link':
      return human.link(action.from, action.to, action.linkType);
    case 'move':
      return human.move(action.issue, action.project);
    case 'delete':
      human.delete(action.issue);
      return { deleted: action.issue };
    case 'raiseRequest': {
      const { type: _, ...input } = action;
      return human.raiseRequest(input);
    }
  }
}

function siteSummary(site: Site): Record<string, unknown> {
  return {
    id: site.id,
    flavour: site.flavour,
    baseUrl: site.baseUrl,
    ...(site.flavour === 'cloud' ? { cloudId: site.cloudId } : {}),
    users: [...site.state.users.values()].map((u) => ({
      handle: u.handle,
      displayName: u.displayName,
      ...(u.accountId ? { accountId: u.accountId } : {}),
      ...(u.name ? { username: u.name } : {}),
      accountType: u.accountType,
    })),
    projects: [...site.state.projects.values()]
      .filter((p) => !p.deleted)
      .map((p) => ({
        id: p.id,
        key: p.key,
        type: p.type,
        ...(p.serviceDesk ? { serviceDeskId: p.serviceDesk.id } : {}),
      })),
    issues: site.state.issues.size,
    webhooks: {
      admin: site.registry.admin.size,
      dynamic: site.registry.dynamic.size,
      automation: site.registry.automation.size,
    },
    faults: site.faults.current(),
  };
}

export async function startAdminApi(options: { simulator: Simulator; port?: number }): Promise<AdminApi> {
  const { simulator } = options;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req, 16 * 1024 * 1024);
    if (raw.length > 0 && !isJson(req.headers['content-type'])) {
      send(res, 415, { error: 'send application/json' });
      return;
    }
    const body = parseJsonBody(raw);
    const parts = url.pathname.split('/').filter((p) => p !== '');

    if (method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
    if (method === 'GET' && url.pathname === '/sites')
      return send(res, 200, simulator.sites.map(siteSummary));
    if (method === 'POST' && url.pathname === '/settle') {
      await simulator.settle();
      return send(res, 204);
    }
    if (method === 'POST' && url.pathname === '/oauth/grant') {
      const input = parse(
        z.strictObject({ clientId: z.string(), accountId: z.string(), scopes: z.array(z.string()) }),
        body,
      );
      if (!simulator.oauth.hasClient(input.clientId))
        simulator.oauth.registerClient({
          clientId: input.clientId,
          clientSecret: `${input.clientId}-secret`,
        });
      return send(res, 200, simulator.oauth.grant(input));
    }
    if (parts[0] !== 'sites' || parts[1] === undefined) return send(res, 404, { error: 'not found' });
    const site = simulator.site(parts[1]);
    const rest = parts.slice(2).join('/');

    if (method === 'GET' && rest === '') return send(res, 200, siteSummary(site));
    if (rest === 'faults') {
      if (method === 'GET') return send(res, 200, site.faults.current());
      if (method === 'PUT') site.faults.set(parse(faultsSchema, body ?? {}));
      else if (method === 'PATCH') site.faults.update(parse(faultsSchema, body ?? {}));
      else if (method === 'DELETE') site.faults.clear();
      else return send(res, 405, { error: 'method not allowed' });
      return send(res, 200, site.faults.current());
    }
    if (rest === 'contract-violations') {
      if (method === 'DELETE') {
        site.clearContractViolations();
        return send(res, 204);
      }
      return send(res, 200, site.contractViolations());
    }
    if (method === 'GET' && rest === 'stats') return send(res, 200, site.stats());
    if (method === 'GET' && rest === 'deliveries') {
      const limit = Number(url.searchParams.get('limit') ?? 100);
      return send(res, 200, site.webhooks.deliveries().slice(-Math.max(1, Math.min(limit, 10_000))));
    }
    if (method === 'POST' && rest === 'act') {
      const input = parse(actSchema, body);
      return send(res, 200, act(site, input.as, input.action));
    }
    if (method === 'POST' && rest === 'issues/bulk') {
      const input = parse(bulkSchema, body);
      const human = site.as(input.as);
      const create = () => {
        const created = [];
        for (let i = 1; i <= input.count; i++) {
          created.push(
            human.createIssue({
              project: input.project,
              summary: `${input.summaryPrefix} ${i}`,
              ...(input.issueType ? { issueType: input.issueType } : {}),
            }),
          );
        }
        return created;
      };
      const created = input.webhooks ? create() : site.quietly(create);
      return send(res, 201, {
        created: created.length,
        first: created[0]?.key,
        last: created[created.length - 1]?.key,
      });
    }
    if (method === 'GET' && parts[2] === 'issues' && parts[3] !== undefined && parts.length === 4) {
      const issue = site.issue(decodeURIComponent(parts[3]));
      return issue ? send(res, 200, issue) : send(res, 404, { error: `no issue ${parts[3]}` });
    }
    if (method === 'POST' && rest === 'webhooks') {
      const { as, ...input } = parse(webhookSchema, body);
      const webhook = site.webhooks.registerAdmin(input, as);
      return send(res, 201, { id: webhook.id, name: webhook.name, url: webhook.url, events: webhook.events });
    }
    if (method === 'POST' && rest === 'automation-rules') {
      const rule = site.webhooks.registerAutomation(parse(automationRuleInputSchema, body));
      return send(res, 201, { id: rule.id, name: rule.name, url: rule.url });
    }
    return send(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof BadRequest) send(res, 400, { error: 'invalid request', issues: error.issues });
      else if (error instanceof SimulatorUsageError) send(res, 404, { error: error.message });
      else if (error instanceof JiraError)
        send(res, error.status, { errorMessages: error.errorMessages, errors: error.errors });
      else if (error instanceof z.ZodError)
        send(res, 400, { error: 'invalid request', issues: error.issues });
      else send(res, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  let listener: LoopbackListener;
  try {
    listener = await listenOnLoopback(server, options.port ?? 0);
  } catch (cause) {
    throw new SimulatorStartError(
      `the simulator admin API could not listen on 127.0.0.1:${options.port ?? 0}`,
      { cause },
    );
  }
  return { url: listener.url, stop: () => listener.stop() };
}
