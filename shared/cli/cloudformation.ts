import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { CliFailure } from './args.ts';
import type { CloudFormationPort, StackResource } from './target.ts';

/** Minimal shape of the SDK client, so tests can pass a fake that answers commands. */
export interface CommandSender {
  send(command: unknown): Promise<unknown>;
}

/**
 * CloudFormation through the AWS SDK (the CLI only: no function uses it, so it stays out of the Lambda
 * bundles). Errors become one line naming the stack and region.
 */
export function cloudFormationPort(
  region: string,
  client: CommandSender = new CloudFormationClient({ region, maxAttempts: 3 }) as unknown as CommandSender,
): CloudFormationPort {
  const explain = (stackName: string, error: unknown): never => {
    const name = (error as { name?: string }).name ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'ValidationError' && /does not exist/i.test(message)) {
      throw new CliFailure(`stack ${stackName} not found in ${region}`, { cause: error });
    }
    if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
      throw new CliFailure(
        `no AWS credentials to read stack ${stackName} (set AWS_PROFILE or the AWS_* variables)`,
        { cause: error },
      );
    }
    throw new CliFailure(`reading stack ${stackName} in ${region} failed: ${message.split('\n')[0]}`, {
      cause: error,
    });
  };
  return {
    async outputs(stackName) {
      let out: { Stacks?: { Outputs?: { OutputKey?: string; OutputValue?: string }[] }[] };
      try {
        out = (await client.send(new DescribeStacksCommand({ StackName: stackName }))) as typeof out;
      } catch (error) {
        return explain(stackName, error);
      }
      const stack = out.Stacks?.[0];
      if (!stack) throw new CliFailure(`stack ${stackName} not found in ${region}`);
      return Object.fromEntries(
        (stack.Outputs ?? []).flatMap((o) =>
          o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [],
        ),
      );
    },
    async resources(stackName) {
      const resources: StackResource[] = [];
      let token: string | undefined;
      do {
        let page: {
          StackResourceSummaries?: {
            LogicalResourceId?: string;
            ResourceType?: string;
            PhysicalResourceId?: string;
          }[];
          NextToken?: string;
        };
        try {
          page = (await client.send(
            new ListStackResourcesCommand({ StackName: stackName, ...(token ? { NextToken: token } : {}) }),
          )) as typeof page;
        } catch (error) {
          return explain(stackName, error);
        }
        for (const r of page.StackResourceSummaries ?? []) {
          resources.push({
            logicalId: r.LogicalResourceId ?? '',
            type: r.ResourceType ?? '',
            physicalId: r.PhysicalResourceId,
          });
        }
        token = page.NextToken;
      } while (token);
      return resources;
    },
  };
}
