import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BundledConfig, JiraSyncFunction, type PowertoolsLogLevel } from './jira-sync-function.ts';

export interface WebhookIngestProps {
  /** Where accepted webhooks go. */
  readonly queue: IQueue;
  readonly bundledConfig: BundledConfig;
  /** The only secrets ingest may read: each connection's webhook secret. */
  readonly webhookSecrets: readonly ISecret[];
  /**
   * Stage burst limit (requests).
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Stage steady-state rate limit (requests per second).
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Retention of the function logs and of the API access logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;
}

// No query string and no headers: url-token connections carry their secret in `?token=`.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/** `POST /webhooks/{connectionId}` on an HTTP API, handled by the ingest function that enqueues events. */
export class WebhookIngest extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly handler: NodejsFunction;
  public readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WebhookIngestProps) {
    super(scope, id);
    const burstLimit = props.throttlingBurstLimit ?? 100;
    const rateLimit = props.throttlingRateLimit ?? 50;
    if (!Number.isInteger(burstLimit) || burstLimit < 1) {
      throw new Error(
        `${this.node.path}: throttlingBurstLimit must be a whole number >= 1 (got ${burstLimit})`,
      );
    }
    if (!Number.isFinite(rateLimit) || rateLimit <= 0) {
      throw new Error(`${this.node.path}: throttlingRateLimit must be > 0 (got ${rateLimit})`);
    }

    const fn = new JiraSyncFunction(this, 'Function', {
      name: 'webhook-ingest',
      description: 'jira-sync: verifies Jira webhooks and enqueues sync events',
      bundledConfig: props.bundledConfig,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 256,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      environment: { JIRA_SYNC_QUEUE_URL: props.queue.queueUrl },
    });
    this.handler = fn.function;
    props.queue.grantSendMessages(this.handler);
    for (const secret of props.webhookSecrets) secret.grantRead(this.handler);

    // The stage is declared by hand: the generated default stage takes neither throttling nor access logs.
    this.api = new HttpApi(this, 'Api', { description: 'jira-sync webhooks', createDefaultStage: false });
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { burstLimit, rateLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
    const routes = this.api.addRoutes({
      path: '/webhooks/{connectionId}',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Ingest', this.handler),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Jira cannot call an IAM, JWT or Cognito protected endpoint; the function authenticates each webhook itself (HMAC signature, bearer token or URL token from Secrets Manager) before anything is enqueued.',
      });
    }
  }

  /** The URL Jira posts to for one connection. */
  webhookUrl(connectionId: string): string {
    return `${this.stage.url}webhooks/${connectionId}`;
  }
}
