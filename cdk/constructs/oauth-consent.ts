import { Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantPutSecretValue } from '../secret-refs.ts';
import { type BundledConfig, JiraSyncFunction, type PowertoolsLogLevel } from './jira-sync-function.ts';

export interface OAuthConsentProps {
  /** The HTTP API that serves the webhooks; the consent routes join it. */
  readonly api: HttpApi;
  readonly bundledConfig: BundledConfig;
  /** The auth secrets of the OAuth connections: the function reads the client credentials and stores the tokens. */
  readonly oauthSecrets: readonly ISecret[];
  /**
   * @default Duration.seconds(20)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
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
 * OAuth 2.0 (3LO) consent for Cloud connections: `GET /oauth/{connectionId}/start` redirects to Atlassian,
 * `GET /oauth/{connectionId}/callback` stores the tokens in the connection's secret.
 */
export class OAuthConsent extends Construct {
  public readonly handler: NodejsFunction;

  constructor(scope: Construct, id: string, props: OAuthConsentProps) {
    super(scope, id);
    const fn = new JiraSyncFunction(this, 'Function', {
      name: 'oauth',
      description: 'jira-sync: OAuth 2.0 consent for Jira Cloud connections',
      bundledConfig: props.bundledConfig,
      timeout: props.timeout ?? Duration.seconds(20),
      memorySize: props.memorySize ?? 256,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
    this.handler = fn.function;
    for (const secret of props.oauthSecrets) {
      secret.grantRead(this.handler);
      grantPutSecretValue(secret, this.handler);
    }
    const integration = new HttpLambdaIntegration('Consent', this.handler);
    for (const step of ['start', 'callback']) {
      const routes = props.api.addRoutes({
        path: `/oauth/{connectionId}/${step}`,
        methods: [HttpMethod.GET],
        integration,
      });
      for (const route of routes) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The consent is opened in a browser by an administrator and answered by Atlassian redirecting that browser: neither can present IAM, JWT or Cognito credentials. The callback checks an HMAC-signed, expiring state bound to a cookie, and a connection that already holds a refresh token refuses new consents.',
        });
      }
    }
  }

  /** Where an administrator starts the consent of a connection. */
  static startUrl(apiUrl: string, connectionId: string): string {
    return `${apiUrl}oauth/${connectionId}/start`;
  }
}
