import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';

/** Namespace and `service` dimension the functions' Powertools metrics use (see JiraSyncFunction). */
export const METRICS_NAMESPACE = 'JiraSync';
export const SERVICE = 'jira-sync';

/** A metric the functions emit (EMF), with the default `service` dimension only. */
export function jiraSyncMetric(
  metricName: string,
  props: { readonly statistic?: string; readonly period: Duration; readonly label?: string },
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE },
    statistic: props.statistic ?? 'Sum',
    period: props.period,
    ...(props.label === undefined ? {} : { label: props.label }),
  });
}

/** The sum of a metric over every value of one extra dimension, e.g. `WebhooksRejected` by `reason`. */
export function jiraSyncMetricAcross(
  metricName: string,
  dimension: string,
  props: { readonly period: Duration; readonly label: string },
): MathExpression {
  const seconds = props.period.toSeconds();
  return new MathExpression({
    expression: `SUM(SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}" service="${SERVICE}"', 'Sum', ${seconds}))`,
    usingMetrics: {},
    period: props.period,
    label: props.label,
  });
}
