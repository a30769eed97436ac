import { resolve } from 'node:path';
import { resetAwsClients } from '../aws/clients.ts';
import type { GlobalOptions } from './args.ts';
import { cloudFormationPort } from './cloudformation.ts';
import type { CliDeps } from './context.ts';
import { Redactor, type StreamLike, streamOutput } from './output.ts';
import { sqsQueuePort } from './queue.ts';
import {
  type CloudFormationPort,
  type Deployment,
  defaultLocalStackFile,
  localDeployment,
  localEnvironment,
  readLocalStackFile,
  resolveStackDeployment,
} from './target.ts';

export interface DefaultDepsOptions {
  readonly stdout?: StreamLike;
  readonly stderr?: StreamLike;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Tests: a fake CloudFormation for `--stack`. */
  readonly cloudFormation?: (region: string) => CloudFormationPort;
}

function applyEnvironment(env: NodeJS.ProcessEnv, values: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // The shared SDK clients read endpoints and region when created: make them start over.
  resetAwsClients();
}

/**
 * Finds the deployment a command names. `--local`: `.local/stack.json` (its emulators' endpoints become
 * the shared clients' endpoints). `--stack`: CloudFormation in `--region`, with the caller's AWS
 * credentials (profile, SSO, environment) as the AWS CLI would use them.
 */
export function targetResolver(
  options: Pick<DefaultDepsOptions, 'env' | 'cwd' | 'cloudFormation'> = {},
): (global: GlobalOptions) => Promise<Deployment | undefined> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  return async (global) => {
    if (global.local) {
      const file = readLocalStackFile(
        global.localFile ? resolve(cwd, global.localFile) : defaultLocalStackFile(cwd),
      );
      applyEnvironment(env, localEnvironment(file));
      return localDeployment(file);
    }
    if (global.stack) {
      const region = global.region ?? env.AWS_REGION ?? '';
      applyEnvironment(env, { AWS_REGION: region });
      const cfn = options.cloudFormation?.(region) ?? cloudFormationPort(region);
      return resolveStackDeployment(global.stack, region, cfn, sqsQueuePort());
    }
    return undefined;
  };
}

/** The real world: process streams, `.local/stack.json` or CloudFormation, Secrets Manager, SQS, DynamoDB. */
export function defaultCliDeps(options: DefaultDepsOptions = {}): CliDeps {
  const env = options.env ?? process.env;
  const redactor = new Redactor();
  return {
    output: (global) =>
      streamOutput({
        stdout: options.stdout ?? process.stdout,
        stderr: options.stderr ?? process.stderr,
        env,
        noColor: global.noColor,
        redactor,
      }),
    env,
    cwd: options.cwd ?? process.cwd(),
    resolveTarget: targetResolver(options),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
