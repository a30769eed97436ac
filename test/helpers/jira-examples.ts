import { readFileSync } from 'node:fs';
import { CONTRACT_FILES, type ContractName } from '../../simulator/contract/operations.ts';
import { vendoredFile } from '../../simulator/contract/vendor.ts';

/**
 * Atlassian's own example answers from the vendored OpenAPI files, so canned responses in client tests
 * have the real shape. Many examples are stored as JSON strings; they are parsed here. Each call returns
 * a fresh copy a test may change.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

let examples: Map<string, Json> | undefined;

function load(): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const name of Object.keys(CONTRACT_FILES) as ContractName[]) {
    const document = JSON.parse(readFileSync(vendoredFile(name), 'utf8')) as {
      paths: Record<
        string,
        Record<
          string,
          {
            operationId?: string;
            responses?: Record<string, { content?: Record<string, { example?: unknown }> }>;
          }
        >
      >;
    };
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        if (!operation.operationId) continue;
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          for (const content of Object.values(response.content ?? {})) {
            if (content.example === undefined) continue;
            const value = typeof content.example === 'string' ? JSON.parse(content.example) : content.example;
            found.set(`${operation.operationId} ${status}`, value as Json);
          }
        }
      }
    }
  }
  return found;
}

/** The example Atlassian documents for an operation's answer, e.g. `example('getIssue')`. */
export function example(operationId: string, status?: string): Record<string, unknown>;
export function example<T>(operationId: string, status?: string): T;
export function example(operationId: string, status = '200'): unknown {
  examples ??= load();
  const value = examples.get(`${operationId} ${status}`);
  if (value === undefined) throw new Error(`no Atlassian example for ${operationId} ${status}`);
  return structuredClone(value);
}
