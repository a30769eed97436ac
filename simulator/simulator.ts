import type { LocalLog } from '../local/local-log.ts';
import { errorFields } from '../local/local-log.ts';
import { type AdminApi, startAdminApi } from './admin-api.ts';
import { type Clock, systemClock } from './clock.ts';
import { loadContracts } from './contract/contracts.ts';
import type { ContractViolation } from './contract-recorder.ts';
import { ContractViolationError, SimulatorUsageError } from './errors.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { OAuthAuthority, type OAuthClient } from './oauth.ts';
import { Site, type SiteOptions } from './site.ts';
import type { DeliveryRecord } from './webhooks/dispatcher.ts';

export interface SimulatorOptions {
  readonly sites: readonly SiteOptions[];
  /** Inject a `ManualClock` in tests: expiry, retries, late deliveries and index lag follow it. */
  readonly clock?: Clock;
  /** Seeds every probabilistic fault; print it to replay a campaign. */
  readonly seed?: number;
  /** The OAuth 2.0 gateway (`api.atlassian.com` / `auth.atlassian.com` stand-in); on by default. */
  readonly gateway?:
    | false
    | {
        readonly port?: number;
        readonly clients?: readonly OAuthClient[];
        readonly consentAccountId?: string;
      };
  /** The admin HTTP API; off by default (tests use the programmatic API). */
  readonly admin?: false | { readonly port?: number };
  /** Check every exchange against Atlassian's OpenAPI files (default true). */
  readonly contracts?: boolean;
  readonly log?: LocalLog;
}

export interface Simulator {
  readonly sites: readonly Site[];
  site(id: string): Site;
  readonly clock: Clock;
  readonly seed: number;
  readonly oauth: OAuthAuthority;
  /** `http://127.0.0.1:<port>`: `/ex/jira/{cloudId}/rest/...`, `/oauth/token`, `/authorize`. */
  readonly gatewayUrl: string | undefined;
  readonly adminUrl: string | undefined;
  /** Waits until every site's due webhook deliveries are answered. */
  settle(): Promise<void>;
  contractViolations(): readonly ContractViolation[];
  assertNoContractViolations(): void;
  stop(): Promise<void>;
}

/** Starts simulated Jira sites (and the OAuth gateway, and optionally the admin API) on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (options.sites.length === 0) throw new SimulatorUsageError('give at least one site');
  const ids = new Set<string>();
  for (const s of options.sites) {
    if (ids.has(s.id)) throw new SimulatorUsageError(`duplicate site id ${s.id}`);
    ids.add(s.id);
  }
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 20250310;
  const log = options.log;
  const contracts = options.contracts === false ? undefined : await loadContracts();
  const oauth = new OAuthAuthority(clock);
  const gatewayOptions = options.gateway === false ? undefined : (options.gateway ?? {});
  for (const client of gatewayOptions?.clients ?? []) oauth.registerClient(client);

  const sites: Site[] = [];
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    for (const [i, siteOptions] of options.sites.entries()) {
      const site = await Site.start(siteOptions, {
        clock,
        contracts,
        oauth,
        randomSeed: seed + i,
        // Sites number their ids from different bases, so a mix-up between sites shows in tests.
        idBase: 10_000 * (i + 1),
        ...(log
          ? {
              onContractViolation: (v: ContractViolation) =>
                log('WARN', 'Jira contract violation', { component: 'jira-simulator', ...v }),
              onDelivery: (site: string, r: DeliveryRecord) =>
                log(
                  r.dropped || r.error || (r.status !== undefined && r.status >= 300) ? 'WARN' : 'INFO',
                  'webhook delivery',
                  {
                    component: 'jira-simulator',
                    site,
                    ...r,
                  },
                ),
              onError: (error: unknown) =>
                log('ERROR', 'simulator error', { component: 'jira-simulator', ...errorFields(error) }),
            }
          : {}),
      });
      sites.push(site);
      stops.push(() => site.stop());
    }
    let gateway: Gateway | undefined;
    if (gatewayOptions) {
      gateway = await startGateway({
        ...(gatewayOptions.port === undefined ? {} : { port: gatewayOptions.port }),
        ...(gatewayOptions.consentAccountId === undefined
          ? {}
          : { consentAccountId: gatewayOptions.consentAccountId }),
        oauth,
        sites: () => sites,
      });
      stops.push(() => (gateway as Gateway).stop());
    }
    const find = (id: string): Site => {
      const site = sites.find((s) => s.id === id);
      if (!site)
        throw new SimulatorUsageError(
          `no simulated site "${id}" (sites: ${sites.map((s) => s.id).join(', ')})`,
        );
      return site;
    };
    const simulator: Simulator = {
      sites,
      site: find,
      clock,
      seed,
      oauth,
      gatewayUrl: gateway?.url,
      adminUrl: undefined,
      settle: async () => {
        await Promise.all(sites.map((s) => s.webhooks.settle()));
      },
      contractViolations: () => sites.flatMap((s) => s.contractViolations()),
      assertNoContractViolations: () => {
        const all = sites.flatMap((s) => s.contractViolations());
        if (all.length === 0) return;
        const lines = all
          .slice(0, 20)
          .map(
            (v) =>
              `  [${v.site}] ${v.direction} ${v.method} ${v.url}${v.status ? ` → ${v.status}` : ''}: ${v.messages.join('; ')}`,
          );
        throw new ContractViolationError(`${all.length} contract violation(s):\n${lines.join('\n')}`);
      },
      stop: stopAll,
    };
    if (options.admin) {
      const admin: AdminApi = await startAdminApi({
        simulator,
        ...(options.admin.port === undefined ? {} : { port: options.admin.port }),
      });
      stops.push(() => admin.stop());
      return { ...simulator, adminUrl: admin.url };
    }
    return simulator;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
