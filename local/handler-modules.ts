import { fileURLToPath } from 'node:url';
import type { IngestHandler, WorkerHandler } from './handler-types.ts';
import { LocalStackStartError } from './local-errors.ts';

/** Where a handler came from, for the banner and tests. */
export type HandlerSource = 'functions' | 'injected';

export interface LoadedHandlers {
  readonly ingest: IngestHandler;
  readonly worker: WorkerHandler;
  readonly sources: { readonly ingest: HandlerSource; readonly worker: HandlerSource };
}

const INGEST_MODULE = new URL('../functions/webhook-ingest/handler.ts', import.meta.url);
const WORKER_MODULE = new URL('../functions/sync-worker/handler.ts', import.meta.url);

/**
 * Imports the real handlers, unless injected. Call only after the stack has set the environment: Lambda
 * code may read it at module load (the ingest handler reads its queue URL and config there).
 */
export async function loadHandlers(
  injected: { readonly ingest?: IngestHandler; readonly worker?: WorkerHandler } = {},
): Promise<LoadedHandlers> {
  const ingest = injected.ingest ?? (await importHandler<IngestHandler>(INGEST_MODULE));
  const worker = injected.worker ?? (await importHandler<WorkerHandler>(WORKER_MODULE));
  return {
    ingest,
    worker,
    sources: {
      ingest: injected.ingest ? 'injected' : 'functions',
      worker: injected.worker ? 'injected' : 'functions',
    },
  };
}

async function importHandler<T>(url: URL): Promise<T> {
  const file = fileURLToPath(url);
  let mod: unknown;
  try {
    mod = await import(url.href);
  } catch (cause) {
    throw new LocalStackStartError(`cannot import ${file}`, { cause });
  }
  const handler = (mod as { handler?: unknown }).handler;
  if (typeof handler !== 'function') {
    throw new LocalStackStartError(`${file} does not export a function named handler`);
  }
  return handler as T;
}
