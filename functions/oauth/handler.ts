import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '../../shared/config/current.ts';
import { secretsManagerSecretStore } from '../../shared/jira/auth/secret-store.ts';
import {
  type ConsentOutcome,
  type ConsentRequest,
  completeConsent,
  startConsent,
} from '../../shared/oauth/consent.ts';
import { parseCookies, serializeCookie } from '../../shared/oauth/cookies.ts';
import { renderPage } from '../../shared/oauth/page.ts';
import { createLogger, createMetrics } from '../../shared/observability/powertools.ts';

const logger = createLogger('oauth');
const metrics = createMetrics();
const deps = {
  config: loadConfig(),
  // Consent always reads the secret fresh; nothing to cache.
  secrets: secretsManagerSecretStore({ ttlMs: 0 }),
  now: Date.now,
  timeoutMs: 8_000,
};

function respond(outcome: ConsentOutcome): APIGatewayProxyStructuredResultV2 {
  const cookies = outcome.cookie ? [serializeCookie(outcome.cookie)] : [];
  if (outcome.kind === 'redirect') {
    return {
      statusCode: 302,
      headers: { location: outcome.location, 'cache-control': 'no-store' },
      cookies,
      body: '',
    };
  }
  return {
    statusCode: outcome.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    cookies,
    body: renderPage(outcome.title, outcome.message),
  };
}

/** `GET /oauth/{connectionId}/start` and `/callback` → the consent domain in `shared/oauth`. */
async function consent(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const connectionId = event.pathParameters?.connectionId ?? '';
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  const host = event.headers.host ?? event.requestContext.domainName;
  const request: ConsentRequest = {
    connectionId,
    origin: `${proto}://${host}`,
    query: event.queryStringParameters ?? {},
    cookies: parseCookies(event.cookies),
  };
  const step = event.routeKey.endsWith('/callback') ? 'callback' : 'start';
  const outcome =
    step === 'callback' ? await completeConsent(request, deps) : await startConsent(request, deps);
  // The query carries the authorization code and state: it is never logged.
  if (outcome.kind === 'redirect') {
    logger.info('oauth consent started', { connectionId });
  } else if (outcome.status === 200) {
    metrics.addMetric('OAuthConsentsCompleted', MetricUnit.Count, 1);
    logger.info('oauth consent completed', { connectionId });
  } else {
    metrics.addMetric('OAuthConsentsFailed', MetricUnit.Count, 1);
    logger.warn('oauth consent failed', { connectionId, step, status: outcome.status, error: outcome.error });
  }
  return respond(outcome);
}

export const handler = middy(consent)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
