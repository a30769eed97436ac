import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { requireEnv } from '../../shared/aws/env.ts';
import { loadConfig } from '../../shared/config/current.ts';
import { secretsManagerSecretStore } from '../../shared/jira/auth/secret-store.ts';
import { jiraClients } from '../../shared/jira/client.ts';
import { createLogger, createMetrics } from '../../shared/observability/powertools.ts';
import { parseInvocation } from '../../shared/registrar/invocation.ts';
import { type RegistrationResult, registerWebhooks, summarize } from '../../shared/registrar/register.ts';
import { currentWebhookSecret } from '../../shared/registrar/secrets.ts';

const logger = createLogger('webhook-registrar');
const metrics = createMetrics();
const config = loadConfig();
const deps = {
  apiUrl: requireEnv('JIRA_SYNC_API_URL'),
  client: jiraClients(),
  webhookSecret: currentWebhookSecret(secretsManagerSecretStore({ ttlMs: 0 })),
};

function report(results: readonly RegistrationResult[]): void {
  for (const result of results) {
    // Results carry ids, statuses and redacted messages only: never a URL with its token or a secret.
    if (result.status === 'failed') {
      metrics.addMetric('WebhookRegistrationFailures', MetricUnit.Count, 1);
      logger.error('webhook registration failed', { ...result });
    } else {
      metrics.addMetric('WebhookRegistrations', MetricUnit.Count, 1);
      logger.info('webhook registration', { ...result });
    }
  }
}

/**
 * Custom resource (on deploy), schedule (dynamic-webhook refresh) or manual invoke → register the
 * webhooks of the connections that ask for it. Registration failures do not fail the deployment (a first
 * deploy usually precedes filling the secrets): they are logged, counted, alarmed and shown in the
 * `WebhookRegistration` stack output; invoke the function again once fixed.
 */
async function register(event: unknown): Promise<unknown> {
  const invocation = parseInvocation(event);
  if (invocation.kind === 'teardown') {
    // Webhooks stay in Jira on stack deletion: an identical delete on a resource replacement would remove
    // the webhooks the new resource just registered. Dynamic ones expire on their own within 30 days.
    logger.info('custom resource deleted; Jira webhooks are left in place');
    return { PhysicalResourceId: invocation.physicalResourceId };
  }
  const results = await registerWebhooks(config, deps);
  report(results);
  const summary = summarize(results);
  if (invocation.kind === 'deploy') {
    return { PhysicalResourceId: invocation.physicalResourceId, Data: { Summary: summary } };
  }
  return { summary, results };
}

export const handler = middy(register)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
