import { fileURLToPath } from 'node:url';
import { type Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The config file as read at synth; its parsed document is compiled into every bundle so no function reads
 * a file or carries a YAML parser at runtime.
 */
export interface BundledConfig {
  /** Names the file in the loader's error messages (keep it relative: it ends up in the bundle). */
  readonly source: string;
  /** The file's content as plain data (before defaults), validated by the same schema inside the function. */
  readonly document: unknown;
}

export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface JiraSyncFunctionProps {
  /** Directory under `functions/`; the entry is `functions/<name>/handler.ts`. */
  readonly name: string;
  readonly description: string;
  readonly bundledConfig: BundledConfig;
  readonly timeout: Duration;
  /** Memory in MB. */
  readonly memorySize: number;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Extra environment: identifiers only, never secret values.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

// ESM output still bundles CommonJS dependencies whose `require` calls need a real `require`.
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * A Node.js 24 / arm64 Lambda function bundled from `functions/<name>/handler.ts` with the jira-sync
 * defaults: its own log group with retention, X-Ray, source maps, and a role holding only what grants add.
 */
export class JiraSyncFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: JiraSyncFunctionProps) {
    super(scope, id);
    const timeoutSeconds = props.timeout.toSeconds();
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
      throw new Error(`${this.node.path}: timeout must be 1 to 900 whole seconds (got ${timeoutSeconds} s)`);
    }
    if (!Number.isInteger(props.memorySize) || props.memorySize < 128 || props.memorySize > 10_240) {
      throw new Error(`${this.node.path}: memorySize must be 128 to 10240 MB (got ${props.memorySize})`);
    }

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `jira-sync ${props.name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}functions/${props.name}/handler.ts`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'jira-sync',
        POWERTOOLS_METRICS_NAMESPACE: 'JiraSync',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        banner: REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Stack traces need names and lines, not the sources: keeps the bundle small.
        sourcesContent: false,
        // ESM entry points let esbuild tree-shake the AWS SDK, which we bundle rather than take from the
        // runtime so the deployed SDK is the version we tested, not whatever the runtime ships that day.
        mainFields: ['module', 'main'],
        bundleAwsSDK: true,
        // esbuild takes a JSON object literal as a define value; `shared/config/current.ts` reads it.
        define: {
          __JIRA_SYNC_CONFIG__: JSON.stringify({
            source: props.bundledConfig.source,
            document: props.bundledConfig.document,
          }),
        },
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement added by active tracing uses "*": xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
