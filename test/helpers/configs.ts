import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const DEMO_CONFIG = fileURLToPath(new URL('../../local/demo.config.yaml', import.meta.url));

/**
 * The demo connections without the demo flows, for tests of the ingest and the local stack that run no Jira:
 * with flows, the worker would (rightly) keep retrying events against sites that are not there.
 */
export function demoConnectionsOnly(): string {
  const document = parse(readFileSync(DEMO_CONFIG, 'utf8')) as Record<string, unknown>;
  delete document.flows;
  const file = join(mkdtempSync(join(tmpdir(), 'jira-sync-config-')), 'connections-only.yaml');
  writeFileSync(file, stringify(document));
  return file;
}
