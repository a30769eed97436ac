import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `npm run bench` is plain `tsx bench/run.ts`, so --expose-gc cannot be passed on the command line;
// the flag is set at runtime and the function fetched from a fresh context, where it now appears.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;

/** Full collection between blocks so one subject's garbage is not collected on the other's clock. */
export function collectGarbage(): void {
  gc?.();
}
