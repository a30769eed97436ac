import { readFileSync } from 'node:fs';
import { OpenAPIBackend, type Request as OpenApiRequest, type Operation } from 'openapi-backend';
import { CONTRACT_FILES, type ContractName } from './operations.ts';
import { vendoredFile } from './vendor.ts';

/**
 * Checks HTTP exchanges with Jira against Atlassian's OpenAPI files (the vendored subset in `openapi/`).
 * Jira's REST v2 (what jira-sync speaks, wiki-markup text) has no published OpenAPI file; v2 and v3 share
 * operations and shapes except that v3 carries rich text as ADF, and the v3 schemas leave those fields
 * open (`fields` is free-form, comment `body` untyped), so v2 paths are checked against their v3 twins.
 */

export interface ExchangeRequest {
  readonly method: string;
  /** Path and query as sent, with or without a site context path or the OAuth `/ex/jira/{cloudId}` prefix. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body; leave undefined for none or for non-JSON bodies (multipart uploads). */
  readonly body?: unknown;
  /** A multipart upload: its body is not JSON and is checked by whoever parses the form. */
  readonly multipart?: boolean;
}

export interface ExchangeResponse {
  readonly status: number;
  /** Parsed JSON body; undefined for an empty or binary body. */
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface ContractCheck {
  readonly contract?: ContractName;
  readonly operationId?: string;
  /** Set when the endpoint exists in Jira but in none of Atlassian's OpenAPI files (admin webhooks). */
  readonly unspecified?: string;
  readonly violations: readonly string[];
}

/** Jira endpoints that no OpenAPI file describes; checked by the simulator's own schemas instead. */
const UNSPECIFIED: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  {
    pattern: /^\/rest\/webhooks\/1\.0\/webhook(\/\d+)?$/,
    why: 'admin webhooks (/rest/webhooks/1.0) are not in the OpenAPI files',
  },
];

interface Located {
  readonly contract: ContractName;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
}

/** Maps what a client sends to the path of the contract that describes it. */
export function locate(url: string): Located | { readonly unspecified: string } | undefined {
  const parsed = new URL(url, 'http://jira.invalid');
  const restAt = parsed.pathname.indexOf('/rest/');
  if (restAt === -1) return undefined;
  // Drops a Data Center context path (`/jira/rest/…`) and the OAuth gateway prefix (`/ex/jira/{cloudId}`).
  const rest = parsed.pathname.slice(restAt);
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(parsed.searchParams.keys())) {
    const all = parsed.searchParams.getAll(key);
    query[key] = all.length === 1 ? (all[0] as string) : all;
  }
  for (const { pattern, why } of UNSPECIFIED) if (pattern.test(rest)) return { unspecified: why };
  if (rest.startsWith('/rest/servicedeskapi/')) return { contract: 'servicedesk', path: rest, query };
  const platform = /^\/rest\/api\/(?:2|3|latest)(\/.*)$/.exec(rest);
  if (platform?.[1]) return { contract: 'platform', path: `/rest/api/3${platform[1]}`, query };
  return undefined;
}

function describeErrors(
  errors: readonly { instancePath?: string; message?: string; params?: unknown }[],
): string[] {
  return errors.slice(0, 10).map((e) => {
    const where = e.instancePath && e.instancePath !== '' ? e.instancePath : '(root)';
    const extra =
      e.params && typeof e.params === 'object' && 'additionalProperty' in e.params
        ? ` (${String((e.params as { additionalProperty: unknown }).additionalProperty)})`
        : e.params && typeof e.params === 'object' && 'allowedValues' in e.params
          ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})`
          : '';
    return `${where} ${e.message ?? 'is invalid'}${extra}`;
  });
}

export class Contracts {
  private readonly apis: Record<ContractName, OpenAPIBackend>;

  private constructor(apis: Record<ContractName, OpenAPIBackend>) {
    this.apis = apis;
  }

  static async load(): Promise<Contracts> {
    const entries = await Promise.all(
      (Object.keys(CONTRACT_FILES) as ContractName[]).map(async (name) => {
        const api = new OpenAPIBackend({
          definition: JSON.parse(readFileSync(vendoredFile(name), 'utf8')),
          quick: true,
          validate: true,
          strict: false,
          // Formats ajv does not know (Atlassian uses a few custom ones) are ignored, not logged per use.
          ajvOpts: { strict: false, logger: false },
        });
        await api.init();
        return [name, api] as const;
      }),
    );
    return new Contracts(Object.fromEntries(entries) as Record<ContractName, OpenAPIBackend>);
  }

  private operation(
    method: string,
    url: string,
  ): { located: Located; api: OpenAPIBackend; operation: Operation } | ContractCheck {
    const located = locate(url);
    if (located === undefined) {
      return { violations: [`${method} ${url}: not a Jira REST path`] };
    }
    if ('unspecified' in located) return { unspecified: located.unspecified, violations: [] };
    const api = this.apis[located.contract];
    const operation = api.matchOperation({ method: method.toLowerCase(), path: located.path, headers: {} });
    if (!operation) {
      return {
        contract: located.contract,
        violations: [
          `${method} ${located.path}: no such operation in the vendored ${located.contract} contract ` +
            '(not a Jira endpoint, or missing from simulator/contract/operations.ts)',
        ],
      };
    }
    return { located, api, operation };
  }

  /** Checks method, path, query parameters, headers and JSON body against the operation. */
  checkRequest(request: ExchangeRequest): ContractCheck {
    const found = this.operation(request.method, request.url);
    if ('violations' in found) return found;
    const { located, api, operation } = found;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers ?? {}))
      if (v !== undefined) headers[k.toLowerCase()] = v;
    const req: OpenApiRequest = {
      method: request.method.toLowerCase(),
      path: located.path,
      query: located.query,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    };
    const result = api.validateRequest(req, operation);
    const errors = (result.errors ?? []).filter(
      // Multipart uploads are not parsed into JSON here; their form fields are checked by the simulator.
      (e) =>
        !(
          request.multipart &&
          (e.instancePath?.startsWith('/requestBody') ||
            (e.params as { missingProperty?: unknown } | undefined)?.missingProperty === 'requestBody')
        ),
    );
    return {
      contract: located.contract,
      operationId: operation.operationId ?? '(unnamed)',
      violations: describeErrors(errors).map((m) => `${operation.operationId} request: ${m}`),
    };
  }

  /** Checks a response status and JSON body against what the operation documents for that status. */
  checkResponse(request: Pick<ExchangeRequest, 'method' | 'url'>, response: ExchangeResponse): ContractCheck {
    const found = this.operation(request.method, request.url);
    if ('violations' in found) return found;
    const { located, api, operation } = found;
    const base = { contract: located.contract, operationId: operation.operationId ?? '(unnamed)' };
    const documented = Object.keys(operation.responses ?? {});
    const status = String(response.status);
    if (!documented.includes(status) && !documented.includes('default')) {
      // Atlassian documents 429 and 5xx globally, not per operation: any status ≥ 429 is allowed.
      if (response.status >= 429) return { ...base, violations: [] };
      return {
        ...base,
        violations: [
          `${operation.operationId} response: status ${status} is not documented (${documented.join(', ')})`,
        ],
      };
    }
    const jsonish = response.contentType === undefined || /json/i.test(response.contentType);
    if (response.body === undefined || !jsonish) return { ...base, violations: [] };
    const result = api.validateResponse(response.body, operation, response.status);
    return {
      ...base,
      violations: describeErrors(result.errors ?? []).map(
        (m) => `${operation.operationId} response ${status}: ${m}`,
      ),
    };
  }
}

let shared: Promise<Contracts> | undefined;

/** The contracts, loaded once per process (the first check compiles each operation's validator lazily). */
export function loadContracts(): Promise<Contracts> {
  shared ??= Contracts.load();
  return shared;
}
