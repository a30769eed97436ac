import type { Config } from '../shared/config/schema.ts';
import { AppError } from '../shared/errors/app-error.ts';
import { jiraClients } from '../shared/jira/client.ts';
import { checkFlow } from '../shared/sync/flow-check.ts';
import { JiraSite } from '../shared/sync/jira-site.ts';

export interface FlowCheckReport {
  /** Flows that name something the sites do not have: the local stack refuses to run them. */
  readonly problems: readonly string[];
  /** Flows whose sites could not be reached now; they are checked at first use instead. */
  readonly unchecked: readonly string[];
}

/**
 * Checks every flow against its sites with the same client the worker uses (the local stack's environment
 * must be set: credentials come from its Secrets Manager). Only a reachable site can refute a flow.
 */
export async function checkFlows(config: Config): Promise<FlowCheckReport> {
  const clients = jiraClients();
  const site = (id: string) => {
    const connection = config.connections.find((c) => c.id === id);
    if (!connection) throw new Error(`flow names unknown connection ${id}`);
    return new JiraSite(connection, clients(connection));
  };
  const problems: string[] = [];
  const unchecked: string[] = [];
  for (const flow of config.flows) {
    try {
      problems.push(
        ...(await checkFlow(flow, {
          source: site(flow.source.connection),
          target: site(flow.target.connection),
        })),
      );
    } catch (error) {
      // Unreachable Jira, bad credentials, missing permission: say why, and let the worker meet it.
      const reason = error instanceof AppError ? error.message : String(error);
      unchecked.push(`flow ${flow.id}: not checked now (${reason})`);
    }
  }
  return { problems, unchecked };
}
