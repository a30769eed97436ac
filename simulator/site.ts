import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type LoopbackListener, listenOnLoopback } from '../local/loopback-server.ts';
import type { Clock } from './clock.ts';
import type { Contracts } from './contract/contracts.ts';
import { ContractRecorder, type ContractViolation } from './contract-recorder.ts';
import { SimulatorStartError, SimulatorUsageError } from './errors.ts';
import { FaultController, type Faults } from './faults.ts';
import { Router } from './http/route.ts';
import { handleSiteRequest, type SiteRequestOptions } from './http/server.ts';
import { Human } from './human.ts';
import type { DomainEvent } from './model/events.ts';
import type { OpsContext } from './model/ops-context.ts';
import { issueJson } from './model/render.ts';
import { defaultSeed, parseSeed, type SiteSeed } from './model/seed.ts';
import { buildState, type SiteState } from './model/state.ts';
import type { Flavour, User } from './model/types.ts';
import type { OAuthAuthority } from './oauth.ts';
import { Random } from './random.ts';
import { ALL_ROUTES } from './routes/index.ts';
import type { Principal, SiteRuntime } from './runtime.ts';
import { type DeliveryRecord, WebhookDispatcher } from './webhooks/dispatcher.ts';
import { WebhookEmitter } from './webhooks/emitter.ts';
import {
  type AdminWebhook,
  type AdminWebhookInput,
  type AutomationRule,
  type AutomationRuleInput,
  adminWebhookInputSchema,
  automationRuleInputSchema,
  WebhookRegistry,
} from './webhooks/registry.ts';

export interface SiteOptions {
  /** Names the site in the programmatic and admin APIs, e.g. `demo-cloud`. */
  readonly id: string;
  readonly flavour: Flavour;
  /** 127.0.0.1 port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Data Center context path, e.g. `/jira`. */
  readonly contextPath?: string;
  /** Cloud: the id used in `api.atlassian.com/ex/jira/{cloudId}`; derived from the site id by default. */
  readonly cloudId?: string;
  readonly seed?: SiteSeed;
  readonly faults?: Faults;
  readonly maxAttachmentBytes?: number;
  /** Delays before Jira Cloud's webhook retries (default five retries within ~26 minutes). */
  readonly webhookRetryDelaysMs?: readonly number[];
  readonly webhookTimeoutMs?: number;
  /** Admin webhooks to register at start, as a Jira administrator would. */
  readonly adminWebhooks?: readonly AdminWebhookInput[];
}

export interface SiteShared {
  readonly clock: Clock;
  readonly contracts: Contracts | undefined;
  readonly oauth: OAuthAuthority | undefined;
  readonly randomSeed: number;
  readonly idBase: number;
  readonly onContractViolation?: (violation: ContractViolation) => void;
  readonly onDelivery?: (site: string, record: DeliveryRecord) => void;
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_RETRY_DELAYS_MS = [10_000, 30_000, 120_000, 480_000, 900_000] as const;

export interface RequestStats {
  readonly count: number;
  readonly byStatus: Readonly<Record<string, number>>;
}

const router = new Router(ALL_ROUTES);

/** The operations a simulated site serves, for the contract-coverage test. */
export function simulatedRoutes(): readonly {
  method: string;
  path: string;
  api: string;
  flavours?: readonly Flavour[];
}[] {
  return router.routes();
}

/** One simulated Jira site: state, REST API on 127.0.0.1, webhooks, faults and contract checks. */
export class Site implements SiteRuntime {
  readonly id: string;
  readonly flavour: Flavour;
  readonly cloudId: string;
  readonly state: SiteState;
  readonly ops: OpsContext;
  readonly clock: Clock;
  readonly faults: FaultController;
  readonly registry: WebhookRegistry;
  readonly dispatcher: WebhookDispatcher;
  readonly contracts: ContractRecorder;
  readonly oauth: OAuthAuthority | undefined;
  readonly maxRequestBytes: number;
  private readonly emitter: WebhookEmitter;
  private readonly mediaSecret = randomBytes(32);
  private readonly requestStats = new Map<string, { count: number; byStatus: Record<string, number> }>();
  private listener: LoopbackListener | undefined;
  private identifierCounter = 0;
  private muted = 0;
  private baseUrlValue = '';

  private constructor(
    private readonly options: SiteOptions,
    private readonly shared: SiteShared,
  ) {
    this.id = options.id;
    this.flavour = options.flavour;
    this.clock = shared.clock;
    this.cloudId = options.cloudId ?? uuidFrom(`cloud:${options.id}`);
    const seed = parseSeed(options.seed ?? defaultSeed(options.flavour));
    this.state = buildState(options.flavour, seed, options.id, shared.idBase);
    const random = new Random(shared.randomSeed);
    this.faults = new FaultController(this.clock, random);
    if (options.faults) this.faults.set(options.faults);
    this.contracts = new ContractRecorder(options.id, shared.contracts, shared.onContractViolation);
    this.oauth = shared.oauth;
    const maxAttachmentBytes = options.maxAttachmentBytes ?? 10 * 1024 * 1024;
    this.maxRequestBytes = maxAttachmentBytes + 1024 * 1024;
    this.registry = new WebhookRegistry(this.state, () => this.clock.now());
    this.dispatcher = new WebhookDispatcher({
      clock: this.clock,
      random,
      faults: this.faults,
      retryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      ...(shared.onDelivery ? { onRecord: (r: DeliveryRecord) => shared.onDelivery?.(this.id, r) } : {}),
    });
    this.emitter = new WebhookEmitter({
      render: () => ({ state: this.state, base: this.baseUrl }),
      now: () => this.clock.now(),
      registry: this.registry,
      dispatcher: this.dispatcher,
      nextIdentifier: () => `${shared.idBase}${String(++this.identifierCounter).padStart(7, '0')}`,
      nextChangelogId: () => this.state.nextId('history'),
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
    });
    this.ops = {
      state: this.state,
      now: () => this.clock.now(),
      emit: (event: DomainEvent) => {
        if (this.muted === 0) this.emitter.handle(event);
      },
      indexLagMs: () => this.faults.indexLagMs(),
      maxAttachmentBytes,
    };
  }

  static async start(options: SiteOptions, shared: SiteShared): Promise<Site> {
    const site = new Site(options, shared);
    const server = createServer((req, res) => {
      void site.handle(req, res, { prefix: site.contextPath, base: site.baseUrl });
    });
    server.keepAliveTimeout = 5_000;
    try {
      site.listener = await listenOnLoopback(server, options.port ?? 0);
    } catch (cause) {
      const inUse = (cause as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new SimulatorStartError(
        inUse
          ? `simulated site ${options.id}: 127.0.0.1:${options.port ?? 0} is already in use`
          : `simulated site ${options.id} could not start`,
        { cause },
      );
    }
    site.baseUrlValue = `${site.listener.url}${site.contextPath}`;
    for (const webhook of options.adminWebhooks ?? []) site.webhooks.registerAdmin(webhook);
    return site;
  }

  private get contextPath(): string {
    const p = this.options.contextPath ?? '';
    return p === '' || p === '/' ? '' : `/${p.replace(/^\/+|\/+$/g, '')}`;
  }

  /** The site URL, e.g. `http://127.0.0.1:3101` (Data Center: with its context path). */
  get baseUrl(): string {
    return this.baseUrlValue;
  }

  get port(): number {
    return this.listener?.port ?? 0;
  }

  /** Serves one request; the OAuth gateway calls it with its own prefix, link base and authentication. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    options: Omit<SiteRequestOptions, 'onError'>,
  ): Promise<void> {
    return handleSiteRequest(this, router, req, res, {
      ...options,
      ...(this.shared.onError ? { onError: this.shared.onError } : {}),
    });
  }

  /** Acts as a person: the same operations as the REST API, so permissions apply and webhooks fire. */
  as(handle: string): Human {
    return new Human(this.ops, this.state.user(handle));
  }

  user(handle: string): User {
    return this.state.user(handle);
  }

  /** The issue as `GET /rest/api/2/issue/{key}` renders it, for assertions; undefined when absent. */
  issue(idOrKey: string): Record<string, unknown> | undefined {
    const issue = this.state.findIssue(idOrKey);
    return issue
      ? issueJson({ state: this.state, base: this.baseUrl }, issue, { expand: new Set(['names']) })
      : undefined;
  }

  /** Changes state without sending webhooks (bulk seeding for benchmarks). */
  quietly<T>(fn: () => T): T {
    this.muted++;
    try {
      return fn();
    } finally {
      this.muted--;
    }
  }

  readonly webhooks = {
    registerAdmin: (input: AdminWebhookInput, by = this.defaultAdmin()): AdminWebhook =>
      this.registry.saveAdmin(adminWebhookInputSchema.parse(input), by),
    registerAutomation: (input: AutomationRuleInput): AutomationRule =>
      this.registry.addAutomation(automationRuleInputSchema.parse(input)),
    deliveries: (): readonly DeliveryRecord[] => this.dispatcher.records(),
    failures: () => this.dispatcher.failures(),
    /** Waits until every delivery due now has been answered (future retries and late deliveries wait). */
    settle: (): Promise<void> => this.dispatcher.settle(),
  };

  private defaultAdmin(): string {
    const admin = [...this.state.users.values()].find((u) => u.admin);
    if (!admin) throw new SimulatorUsageError(`site ${this.id} has no administrator`);
    return admin.handle;
  }

  contractViolations(): readonly ContractViolation[] {
    return this.contracts.violations();
  }

  clearContractViolations(): void {
    this.contracts.clear();
  }

  /** Throws `ContractViolationError` listing every violation seen so far. */
  assertNoContractViolations(): void {
    this.contracts.assertNone();
  }

  countRequest(operation: string, status: number): void {
    const entry = this.requestStats.get(operation) ?? { count: 0, byStatus: {} };
    entry.count++;
    entry.byStatus[status] = (entry.byStatus[status] ?? 0) + 1;
    this.requestStats.set(operation, entry);
  }

  /** Requests per operation and status, injected faults and webhook outcomes (benchmarks read these). */
  stats(): {
    requests: Record<string, RequestStats>;
    faults: FaultController['stats'];
    webhooks: { delivered: number; failed: number; dropped: number };
  } {
    const records = this.dispatcher.records();
    return {
      requests: Object.fromEntries(
        [...this.requestStats].map(([k, v]) => [k, { count: v.count, byStatus: { ...v.byStatus } }]),
      ),
      faults: { ...this.faults.stats },
      webhooks: {
        delivered: records.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300).length,
        failed: records.filter(
          (r) => r.error !== undefined || (r.status !== undefined && (r.status < 200 || r.status >= 300)),
        ).length,
        dropped: records.filter((r) => r.dropped).length,
      },
    };
  }

  mediaToken(attachmentId: string): string {
    const expires = this.clock.now() + 10 * 60_000;
    const mac = createHmac('sha256', this.mediaSecret)
      .update(`${attachmentId}:${expires}`)
      .digest('base64url');
    return `${expires}.${mac}`;
  }

  checkMediaToken(attachmentId: string, token: string): boolean {
    const [expires = '', mac = ''] = token.split('.');
    if (!/^\d+$/.test(expires) || Number(expires) < this.clock.now()) return false;
    const expected = createHmac('sha256', this.mediaSecret).update(`${attachmentId}:${expires}`).digest();
    const given = Buffer.from(mac, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** For the gateway: the principal of a 3LO caller on this site, if the account exists here. */
  oauthPrincipal(accountId: string, appId: string, scopes: ReadonlySet<string>): Principal | undefined {
    const user = this.state.findUser({ accountId });
    return user?.active ? { user, via: 'oauth', appId, scopes } : undefined;
  }

  async stop(): Promise<void> {
    this.dispatcher.stop();
    await this.listener?.stop();
  }
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
