import { type CfnElement, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { WebhookRegistration } from '../../shared/registrar/plan.ts';
import { grantPutSecretValue } from '../secret-refs.ts';
import { type BundledConfig, JiraSyncFunction, type PowertoolsLogLevel } from './jira-sync-function.ts';

export interface WebhookRegistrarProps {
  /** The stage URL of the webhook API; the webhook of connection `x` is `<apiUrl>webhooks/x`. */
  readonly apiUrl: string;
  /** What to register (from `registrationPlan(config)`): a change re-runs the registration on deploy. */
  readonly registrations: readonly WebhookRegistration[];
  readonly bundledConfig: BundledConfig;
  /** Jira credentials of the registering connections. */
  readonly authSecrets: readonly ISecret[];
  /**
   * Auth secrets of registering OAuth connections: a token refresh rotates the refresh token, which must
   * be stored back.
   * @default - none
   */
  readonly rotatingAuthSecrets?: readonly ISecret[];
  /** Webhook secrets of the registering connections: the URL token or the HMAC secret Jira must use. */
  readonly webhookSecrets: readonly ISecret[];
  /**
   * How often the registration runs again: refreshes dynamic webhooks (Jira drops them 30 days after
   * their last refresh) and repairs admin webhooks changed by hand. 1 to 25 days.
   * @default Duration.days(20)
   */
  readonly refreshInterval?: Duration;
  /**
   * A timeout would fail the deployment (the custom resource), so it is generous: a run takes about as
   * long as the slowest Jira (connections register side by side, each call at most ~25 s with retries).
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;
}

/**
 * Registers the Jira webhooks of the connections with `webhook.register` set: on every deploy that changes
 * what is registered (a CloudFormation custom resource through the CDK Provider framework), and on a
 * schedule that refreshes dynamic webhooks before they expire. Registration failures never fail the
 * deployment; they are logged, counted (`WebhookRegistrationFailures`) and summarised in `summary`.
 */
export class WebhookRegistrar extends Construct {
  public readonly handler: NodejsFunction;
  public readonly provider: Provider;
  public readonly customResource: CustomResource;
  public readonly schedule: Rule;
  /** One line per connection, e.g. `acme-cloud: admin created` (a deploy-time attribute). */
  public readonly summary: string;

  constructor(scope: Construct, id: string, props: WebhookRegistrarProps) {
    super(scope, id);
    const refreshInterval = props.refreshInterval ?? Duration.days(20);
    const days = refreshInterval.toDays({ integral: false });
    if (days < 1 || days > 25) {
      throw new Error(
        `${this.node.path}: refreshInterval must be 1 to 25 days, well inside the 30-day life of dynamic webhooks (got ${days} days)`,
      );
    }
    if (props.registrations.length === 0) {
      throw new Error(`${this.node.path}: no connection has webhook.register set; leave the registrar out`);
    }
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    const fn = new JiraSyncFunction(this, 'Function', {
      name: 'webhook-registrar',
      description: 'jira-sync: registers and refreshes the Jira webhooks of connections that ask for it',
      bundledConfig: props.bundledConfig,
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: 256,
      logRetention,
      logLevel: props.logLevel,
      environment: { JIRA_SYNC_API_URL: props.apiUrl },
    });
    this.handler = fn.function;
    for (const secret of props.authSecrets) secret.grantRead(this.handler);
    for (const secret of props.rotatingAuthSecrets ?? []) grantPutSecretValue(secret, this.handler);
    for (const secret of props.webhookSecrets) secret.grantRead(this.handler);

    // The framework function gets its own role and log group: the defaults would attach the
    // AWSLambdaBasicExecutionRole managed policy (write to any log group) and keep logs forever.
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: logRetention });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'jira-sync webhook registrar: CloudFormation custom resource provider',
    });
    frameworkLogs.grantWrite(frameworkRole);
    this.provider = new Provider(this, 'Provider', {
      onEventHandler: this.handler,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });
    const handlerId = Stack.of(this).getLogicalId(this.handler.node.defaultChild as CfnElement);
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`,
      reason:
        'The CDK Provider framework invokes the registrar function by any version or alias (<function arn>:*); the statement is limited to that one function.',
    });
    this.customResource = new CustomResource(this, 'Webhooks', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::JiraSyncWebhooks',
      properties: {
        ApiUrl: props.apiUrl,
        // Readable in the template, and any change (a new flow project, a connection switching mode)
        // makes CloudFormation send an Update, which registers again.
        Registrations: JSON.stringify(props.registrations),
      },
    });
    this.summary = this.customResource.getAttString('Summary');

    this.schedule = new Rule(this, 'RefreshSchedule', {
      description: `jira-sync: re-register and refresh Jira webhooks every ${days} days`,
      schedule: Schedule.rate(refreshInterval),
      targets: [
        new LambdaFunction(this.handler, {
          event: RuleTargetInput.fromObject({ source: 'jira-sync.schedule', action: 'refresh' }),
        }),
      ],
    });
  }
}
