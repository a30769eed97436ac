import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTRACT_FILES, type ContractName } from './operations.ts';
import { subsetOpenApi } from './subset.ts';

/** Where Atlassian's full OpenAPI files sit: `../shared/contracts` beside the repository. */
export const SHARED_CONTRACTS = fileURLToPath(new URL('../../../shared/contracts/', import.meta.url));
export const VENDORED = fileURLToPath(new URL('./openapi/', import.meta.url));

export function vendoredFile(name: ContractName): string {
  return `${VENDORED}${name}.subset.json`;
}

/** The subset of one contract as `npm run contracts:vendor` writes it. */
export function extractSubset(name: ContractName, sharedDir = SHARED_CONTRACTS): string {
  const { source, paths } = CONTRACT_FILES[name];
  const full = JSON.parse(readFileSync(`${sharedDir}${source}`, 'utf8'));
  return `${JSON.stringify(subsetOpenApi(full, paths), null, 1)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of Object.keys(CONTRACT_FILES) as ContractName[]) {
    const text = extractSubset(name);
    writeFileSync(vendoredFile(name), text);
    console.log(`wrote ${vendoredFile(name)} (${text.length} bytes)`);
  }
}
