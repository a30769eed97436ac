import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './results.ts';
import type { SyncBenchResults } from './sync/results.ts';

export const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

/** `bench/results.json`: the ingest bench's figures at the top level, the sync bench's under `sync`. */
export type ResultsFile = Partial<BenchResults> & { readonly sync?: SyncBenchResults };

async function readResults(): Promise<ResultsFile> {
  try {
    const parsed: unknown = JSON.parse(await readFile(RESULTS_FILE, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as ResultsFile) : {};
  } catch {
    return {};
  }
}

/** Writes the ingest figures and keeps the sync part of an earlier `npm run bench:sync`. */
export async function writeIngestResults(results: BenchResults): Promise<void> {
  const { sync } = await readResults();
  await write({ ...results, ...(sync ? { sync } : {}) });
}

/** Writes the sync figures and keeps the ingest part of an earlier `npm run bench`. */
export async function writeSyncResults(sync: SyncBenchResults): Promise<void> {
  await write({ ...(await readResults()), sync });
}

async function write(file: ResultsFile): Promise<void> {
  await writeFile(RESULTS_FILE, `${JSON.stringify(file, null, 2)}\n`);
}
