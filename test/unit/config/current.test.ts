import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/config-error.ts';
import { loadConfig, setConfigForProcess } from '../../../shared/config/current.ts';
import { loadConfigSource } from '../../../shared/config/load.ts';

const EXAMPLE = 'jira-sync.config.example.yaml';

/** Bundles the runtime loader as CDK does (esbuild define) and returns the loaded module. */
async function bundledLoader(define: string): Promise<{ loadConfig: typeof loadConfig }> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'cfg-bundle-')), 'current.mjs');
  await build({
    entryPoints: ['shared/config/current.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    define: { __JIRA_SYNC_CONFIG__: define },
    logLevel: 'silent',
  });
  return { loadConfig: (await import(pathToFileURL(outfile).href)).loadConfig };
}

describe('runtime config', () => {
  afterEach(() => setConfigForProcess(undefined));

  it('validates the document compiled into a bundle, without any YAML parser', async () => {
    const { config, document } = loadConfigSource(EXAMPLE);
    const { loadConfig: bundled } = await bundledLoader(JSON.stringify({ source: EXAMPLE, document }));
    expect(bundled()).toEqual(config);
  });

  it('keeps the YAML parser out of the bundle', async () => {
    const { document } = loadConfigSource(EXAMPLE);
    const result = await build({
      entryPoints: ['shared/config/current.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      metafile: true,
      define: { __JIRA_SYNC_CONFIG__: JSON.stringify({ source: EXAMPLE, document }) },
      logLevel: 'silent',
    });
    expect(Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules/yaml'))).toEqual([]);
  });

  it('fails at cold start with the config message when the compiled document is invalid', async () => {
    const { loadConfig: bundled } = await bundledLoader(
      JSON.stringify({ source: 'jira-sync.config.yaml', document: { connections: [] } }),
    );
    expect(() => bundled()).toThrow(
      /Invalid jira-sync configuration in jira-sync.config.yaml:\n {2}- connections/,
    );
  });

  it('uses the config installed by the local stack', () => {
    const { config } = loadConfigSource(EXAMPLE);
    setConfigForProcess(config);
    expect(loadConfig()).toBe(config);
  });

  it('says how to provide a config when there is none', () => {
    expect(() => loadConfig()).toThrow(ConfigError);
    expect(() => loadConfig()).toThrow(/setConfigForProcess/);
  });
});
