import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { loadConfigSource } from '../shared/config/load.ts';
import { CONFIG_FILE, OUT_DIR } from './local-stack.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export const ENTRIES = {
  ingest: fileURLToPath(new URL('../functions/webhook-ingest/handler.ts', import.meta.url)),
  baseline: fileURLToPath(new URL('./baseline/sqs-only-handler.ts', import.meta.url)),
} as const;

export type BundleName = keyof typeof ENTRIES;

export interface Contributor {
  readonly name: string;
  /** Bytes this input (or package) occupies in the minified output. */
  readonly bytes: number;
}

export interface BundleResult {
  readonly file: string;
  readonly bytes: number;
  /** gzip at the default level: roughly what the deployment zip stores. */
  readonly gzipBytes: number;
  /** The external source map CDK also ships (not counted in `bytes`). */
  readonly sourceMapBytes: number;
  readonly topInputs: readonly Contributor[];
  readonly topPackages: readonly Contributor[];
  /** Package plus its first two folders (`zod/v4/locales`): shows what inside a package weighs. */
  readonly topFolders: readonly Contributor[];
}

// Mirrors cdk/constructs/jira-sync-function.ts so the figure is what `cdk deploy` uploads.
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** esbuild options as cdk/constructs/jira-sync-function.ts builds a function: what `cdk deploy` uploads. */
export function lambdaBuildOptions(entry: string, outfile: string) {
  const { document } = loadConfigSource(CONFIG_FILE);
  return {
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    treeShaking: true,
    sourcemap: 'external',
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    // As the CDK construct does: a JSON object literal that `shared/config/current.ts` reads.
    define: {
      __JIRA_SYNC_CONFIG__: JSON.stringify({ source: 'bench/bench-config.yaml', document }),
    },
    metafile: true,
    logLevel: 'warning',
  } satisfies BuildOptions;
}

async function bundle(name: BundleName): Promise<BundleResult> {
  const outfile = `${OUT_DIR}${name}/index.mjs`;
  const result = await build(lambdaBuildOptions(ENTRIES[name], outfile));
  const code = readFileSync(outfile);
  return {
    file: relative(ROOT, outfile),
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    sourceMapBytes: readFileSync(`${outfile}.map`).length,
    ...contributors(result.metafile, outfile),
  };
}

/** `node_modules/@smithy/core/dist-es/x.js` → `@smithy/core`; own sources group by top folder. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at === -1) return `(jira-sync) ${input.split('/')[0] ?? input}/`;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? input);
}

export function folderOf(input: string): string {
  const pkg = packageOf(input);
  if (pkg.startsWith('(jira-sync)')) return pkg;
  const rest = input
    .slice(input.lastIndexOf(pkg) + pkg.length + 1)
    .split('/')
    .slice(0, -1);
  return [pkg, ...rest.slice(0, 2)].join('/');
}

function contributors(metafile: Metafile, outfile: string) {
  const output = metafile.outputs[relative(ROOT, outfile)];
  const inputs = Object.entries(output?.inputs ?? {}).map(([name, v]) => ({ name, bytes: v.bytesInOutput }));
  const grouped = (key: (input: string) => string): Contributor[] => {
    const sums = new Map<string, number>();
    for (const input of inputs) sums.set(key(input.name), (sums.get(key(input.name)) ?? 0) + input.bytes);
    return [...sums].map(([name, bytes]) => ({ name, bytes }));
  };
  const top = (list: Contributor[]) => list.sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  return {
    topInputs: top(inputs),
    topPackages: top(grouped(packageOf)),
    topFolders: top(grouped(folderOf)),
  };
}

/** Both bundles, built the way CDK builds the functions (ESM, node24, minified, SDK bundled). */
export async function buildBundles(): Promise<Record<BundleName, BundleResult>> {
  return { ingest: await bundle('ingest'), baseline: await bundle('baseline') };
}
