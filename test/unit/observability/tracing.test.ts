import type { Tracer } from '@aws-lambda-powertools/tracer';
import { describe, expect, it } from 'vitest';
import { traceJiraCalls } from '../../../shared/observability/tracing.ts';

/** Just enough of Powertools' tracer to see what the wrapper asks of X-Ray. */
function fakeTracer(enabled: boolean) {
  const subsegments: {
    name: string;
    annotations: Record<string, string>;
    errors: string[];
    closed: boolean;
  }[] = [];
  const tracer = {
    isTracingEnabled: () => enabled,
    provider: {
      captureAsyncFunc: (name: string, fn: (sub: unknown) => unknown) => {
        const sub = {
          name,
          annotations: {} as Record<string, string>,
          errors: [] as string[],
          closed: false,
        };
        subsegments.push(sub);
        return fn({
          addAnnotation: (k: string, v: string) => {
            sub.annotations[k] = v;
          },
          addError: (e: Error) => sub.errors.push(e.message),
          close: () => {
            sub.closed = true;
          },
        });
      },
    },
  } as unknown as Tracer;
  return { tracer, subsegments };
}

const call = { connectionId: 'demo-dc', operation: 'editIssue', method: 'PUT', path: '/rest/api/2/issue/1' };

describe('traceJiraCalls', () => {
  it('records one annotated subsegment per Jira call', async () => {
    const { tracer, subsegments } = fakeTracer(true);
    expect(await traceJiraCalls(tracer)(call, async () => 42)).toBe(42);
    expect(subsegments).toEqual([
      {
        name: '## jira editIssue',
        annotations: { connection: 'demo-dc', operation: 'editIssue' },
        errors: [],
        closed: true,
      },
    ]);
  });

  it('records a failure on the subsegment and rethrows it', async () => {
    const { tracer, subsegments } = fakeTracer(true);
    await expect(traceJiraCalls(tracer)(call, async () => Promise.reject(new Error('503')))).rejects.toThrow(
      '503',
    );
    expect(subsegments[0]).toMatchObject({ errors: ['503'], closed: true });
  });

  it('runs the call untouched when tracing is off (outside Lambda)', async () => {
    const { tracer, subsegments } = fakeTracer(false);
    expect(await traceJiraCalls(tracer)(call, async () => 'ok')).toBe('ok');
    expect(subsegments).toEqual([]);
  });
});
