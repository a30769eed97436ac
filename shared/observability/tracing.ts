import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { JiraClientOptions } from '../jira/client-options.ts';

/**
 * X-Ray subsegments around Jira calls (`## jira <operation>`), annotated with the connection and operation
 * so a slow or failing site stands out in the trace map. Outside Lambda (tests, `npm start`) the tracer is
 * disabled and calls run untouched.
 */
export function traceJiraCalls(tracer: Tracer): NonNullable<JiraClientOptions['observe']> {
  return (call, run) => {
    if (!tracer.isTracingEnabled()) return run();
    return tracer.provider.captureAsyncFunc(`## jira ${call.operation}`, async (subsegment) => {
      subsegment?.addAnnotation('connection', call.connectionId);
      subsegment?.addAnnotation('operation', call.operation);
      try {
        return await run();
      } catch (error) {
        if (error instanceof Error) subsegment?.addError(error);
        throw error;
      } finally {
        subsegment?.close();
      }
    }) as ReturnType<typeof run>;
  };
}
