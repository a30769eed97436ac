/**
 * Stands in for `@aws-lambda-powertools/tracer` (and its `/middleware`) in the "no tracer" build of the
 * worker bench (bench/worker-bundle.ts): the same handler, with tracing permanently off and neither the
 * tracer nor the X-Ray SDK bundled, so the difference to the real build is what tracing costs.
 */
export class Tracer {
  readonly provider = {
    captureAsyncFunc: (): never => {
      throw new Error('tracing is stubbed out');
    },
  };

  isTracingEnabled(): boolean {
    return false;
  }
}

/** A middy middleware that does nothing (middy wants at least one of before, after, onError). */
export function captureLambdaHandler(_tracer: Tracer): { before: () => void } {
  return { before: () => undefined };
}
