import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One logger and one metrics instance per function. Service name and namespace come from the standard
 * Powertools environment (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`).
 */
export function createLogger(functionName: string): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'jira-sync',
    persistentKeys: { functionName },
  });
}

export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'JiraSync',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'jira-sync',
  });
}
