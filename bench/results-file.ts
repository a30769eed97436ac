import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './results.ts';
import type { SyncBenchResults } from './sync/results.ts';

export const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

/** `bench/results.json`: the ingest bench's figures at the top level, each other bench's under its own key. */
export type ResultsFile = Partial<BenchResults> & { readonly sync?: SyncBenchResults };

async function readResults(): Promise<ResultsFile> {
  try {
    const parsed: unknown = JSON.parse(await readFile(RESULTS_FILE, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as ResultsFile)
      : {};
  } catch {
    return {};
  }
}

/** Writes the ingest figures and keeps every other part (`sync`, `worker`, `rateLimit`, `scale`). */
export async function writeIngestResults(results: BenchResults): Promise<void> {
  await write({ ...(await readResults()), ...results });
}

/** The parts written by the benches other than ingest and sync, each under its own key. */
export type PartKey = 'worker' | 'rateLimit' | 'scale';

export async function readResultsFile(): Promise<Record<string, unknown>> {
  return (await readResults()) as Record<string, unknown>;
}

/** Sets one part and keeps every other key of the file (the ingest figures, `sync`, the other parts). */
export async function writeResultsPart(key: PartKey, value: unknown): Promise<void> {
  await write({ ...(await readResults()), [key]: value } as ResultsFile);
}

/** Writes the sync figures and keeps the ingest part of an earlier `npm run bench`. */
export async function writeSyncResults(sync: SyncBenchResults): Promise<void> {
  await write({ ...(await readResults()), sync });
}

async function write(file: ResultsFile): Promise<void> {
  await writeFile(RESULTS_FILE, `${JSON.stringify(file, null, 2)}\n`);
}
