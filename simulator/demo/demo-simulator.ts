import type { LocalLog } from '../../local/local-log.ts';
import type { Connection } from '../../shared/config/schema.ts';
import { type Simulator, startSimulator } from '../simulator.ts';
import type { Site } from '../site.ts';
import { type DemoActivity, type DemoActivityOptions, startDemoActivity } from './demo-activity.ts';
import { type DemoCredentials, demoSiteSpec } from './demo-sites.ts';

/** The simulated Jira sites `npm start` runs for the demo configuration, wired to the local stack. */

export interface DemoSimulatorOptions {
  readonly connections: readonly Connection[];
  readonly webhookUrl: (connectionId: string) => string;
  /** A value from the local secrets store (auth JSON or webhook secret), by name or ARN. */
  readonly secret: (ref: string) => string | undefined;
  /** Tests: free ports instead of the ports in the connections' base URLs. */
  readonly ephemeralPorts?: boolean;
  /** Admin API port (default 3100; 0 picks a free one). */
  readonly adminPort?: number;
  /** OAuth gateway port (default 0). */
  readonly gatewayPort?: number;
  readonly demoActivity?: false | Pick<DemoActivityOptions, 'stepMs' | 'syncWaitMs'>;
  readonly log: LocalLog;
}

export interface DemoSite {
  readonly connectionId: string;
  readonly site: Site;
  readonly credentials: DemoCredentials | undefined;
  readonly projectKey: string;
}

export interface DemoSimulator {
  readonly simulator: Simulator;
  readonly sites: readonly DemoSite[];
  readonly activity: DemoActivity | undefined;
  stop(): Promise<void>;
}

export async function startDemoSimulator(options: DemoSimulatorOptions): Promise<DemoSimulator> {
  const specs = options.connections.map((connection) =>
    demoSiteSpec(connection, {
      webhookUrl: options.webhookUrl(connection.id),
      webhookSecret: options.secret(connection.webhook.secret),
      authSecret: options.secret(connection.auth.secret),
      ephemeralPorts: options.ephemeralPorts === true,
    }),
  );
  const simulator = await startSimulator({
    sites: specs.map((s) => s.options),
    gateway: { port: options.gatewayPort ?? 0 },
    admin: { port: options.adminPort ?? 3100 },
    log: options.log,
  });
  const sites = specs.map((spec) => {
    const site = simulator.site(spec.connection.id);
    if (spec.automationRule) site.webhooks.registerAutomation(spec.automationRule);
    return {
      connectionId: spec.connection.id,
      site,
      credentials: spec.credentials,
      projectKey: spec.projectKey,
    };
  });
  const help = sites.find((s) => s.projectKey === 'HELP')?.site;
  const eng = sites.find((s) => s.projectKey === 'ENG')?.site;
  const activity =
    options.demoActivity !== false && help && eng
      ? startDemoActivity({
          serviceDesk: help,
          engineering: eng,
          log: options.log,
          ...(options.demoActivity ?? {}),
        })
      : undefined;
  return {
    simulator,
    sites,
    activity,
    stop: async () => {
      activity?.stop();
      await simulator.stop();
    },
  };
}
