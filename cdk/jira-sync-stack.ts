import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Config, Connection } from '../shared/config/schema.ts';
import type { BundledConfig } from './constructs/jira-sync-function.ts';
import { OAuthConsent } from './constructs/oauth-consent.ts';
import { SyncAlarms } from './constructs/sync-alarms.ts';
import { SyncQueue } from './constructs/sync-queue.ts';
import { SyncWorker } from './constructs/sync-worker.ts';
import { WebhookIngest } from './constructs/webhook-ingest.ts';
import { SecretRefs, secretsFor } from './secret-refs.ts';

export interface JiraSyncStackProps extends StackProps {
  /** The validated configuration: decides which secrets each function may read and the outputs. */
  readonly config: Config;
  /** The same configuration as read from its file, compiled into the function bundles. */
  readonly bundledConfig: BundledConfig;
}

/** jira-sync: webhook API → ingest → SQS FIFO → sync worker, with alarms. */
export class JiraSyncStack extends Stack {
  public readonly queue: SyncQueue;
  public readonly ingest: WebhookIngest;
  public readonly worker: SyncWorker;
  public readonly alarms: SyncAlarms;
  public readonly alarmTopic: Topic;
  /** Present when a connection uses OAuth 2.0 (3LO). */
  public readonly oauth: OAuthConsent | undefined;

  constructor(scope: Construct, id: string, props: JiraSyncStackProps) {
    super(scope, id, props);
    const { config, bundledConfig } = props;
    const secrets = new SecretRefs(this, 'Secrets');
    const oauthConnections = config.connections.filter((c) => c.auth.type === 'oauth');
    const oauthSecrets = secretsFor(
      secrets,
      oauthConnections.map((c) => c.auth.secret),
    );

    this.queue = new SyncQueue(this, 'SyncQueue');
    this.worker = new SyncWorker(this, 'SyncWorker', {
      queue: this.queue,
      bundledConfig,
      authSecrets: secretsFor(
        secrets,
        config.connections.map((c) => c.auth.secret),
      ),
      rotatingAuthSecrets: oauthSecrets,
    });
    this.ingest = new WebhookIngest(this, 'WebhookIngest', {
      queue: this.queue.queue,
      bundledConfig,
      webhookSecrets: secretsFor(
        secrets,
        config.connections.map((c) => c.webhook.secret),
      ),
    });
    this.oauth =
      oauthConnections.length === 0
        ? undefined
        : new OAuthConsent(this, 'OAuthConsent', { api: this.ingest.api, bundledConfig, oauthSecrets });
    this.alarms = new SyncAlarms(this, 'Alarms', {
      queue: this.queue,
      worker: this.worker,
      ingest: this.ingest,
    });
    this.alarmTopic = this.alarms.topic;

    const outputIds = new Map<string, string>();
    for (const connection of config.connections) {
      const outputId = `WebhookUrl${pascalCase(connection.id)}`;
      const clash = outputIds.get(outputId);
      if (clash !== undefined) {
        throw new Error(
          `connection ids "${clash}" and "${connection.id}" both map to stack output ${outputId}; rename one`,
        );
      }
      outputIds.set(outputId, connection.id);
      new CfnOutput(this, outputId, {
        value: this.ingest.webhookUrl(connection.id),
        description: webhookUrlDescription(connection),
      });
    }
    for (const connection of oauthConnections) {
      new CfnOutput(this, `OAuthStartUrl${pascalCase(connection.id)}`, {
        value: OAuthConsent.startUrl(this.ingest.stage.url, connection.id),
        // Output descriptions must be plain text (no tokens), so the callback URL is spelled relative.
        description: `Open in a browser to authorise connection ${connection.id} (OAuth 2.0); register <api url>/oauth/${connection.id}/callback as the app's callback URL`,
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'SNS topic for jira-sync alarms: subscribe your team channel',
    });
  }
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function webhookUrlDescription(connection: Connection): string {
  const { secret } = connection.webhook;
  const prefix = `Webhook URL for connection ${connection.id}`;
  switch (connection.webhook.verify) {
    case 'hmac':
      return `${prefix}; set the Jira webhook secret to the value of secret ${secret}`;
    case 'bearer':
      return `${prefix}; send the header Authorization: Bearer <value of secret ${secret}>`;
    case 'url-token':
      return `${prefix}; append ?token=<value of secret ${secret}>`;
  }
}
