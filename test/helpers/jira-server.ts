import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../local/loopback-server.ts';
import { type Contracts, loadContracts, locate } from '../../simulator/contract/contracts.ts';

/**
 * A scriptable Jira on 127.0.0.1 for client tests: real HTTP, real sockets, no mocked fetch. Every request
 * the client sends, and every canned answer a test serves, is checked against Atlassian's OpenAPI files
 * (`simulator/contract`); `violations` collects what does not match so a test can assert it is empty.
 */

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Parsed when the body is JSON. */
  readonly json?: unknown;
  /** Parsed when the body is multipart/form-data. */
  readonly form?: FormData;
  /** Date.now() when the request arrived. */
  readonly receivedAt: number;
}

export interface Canned {
  readonly status: number;
  readonly json?: unknown;
  /** A raw body (bytes or text), served as is. */
  readonly body?: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  /** Holds the answer back this long (real time; keep it small). */
  readonly delayMs?: number;
}

export type Handler = (request: RecordedRequest) => Canned | Promise<Canned>;
type Matcher = string | RegExp;

interface Route {
  readonly method: string;
  readonly path: Matcher;
  readonly handler: Handler;
  readonly once: boolean;
}

export interface JiraServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Contract violations of requests and answers, `<METHOD> <path>: <problem>`. */
  readonly violations: string[];
  /** Answers every matching request (later routes win over earlier ones). */
  on(method: string, path: Matcher, answer: Canned | Handler): void;
  /** Answers the next matching request only; one-shot answers are used before persistent ones, in order. */
  once(method: string, path: Matcher, answer: Canned | Handler): void;
  /** Requests whose path matches. */
  requestsTo(method: string, path: Matcher): RecordedRequest[];
  reset(): void;
  stop(): Promise<void>;
}

function matches(matcher: Matcher, path: string): boolean {
  return typeof matcher === 'string' ? matcher === path : matcher.test(path);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function record(req: IncomingMessage, base: string): Promise<RecordedRequest> {
  const receivedAt = Date.now();
  const body = await readAll(req);
  const url = new URL(req.url ?? '/', base);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headersDistinct)) if (value) headers[name] = value.join(',');
  const type = headers['content-type'] ?? '';
  let json: unknown;
  let form: FormData | undefined;
  if (/json/i.test(type) && body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
  } else if (/multipart\/form-data/i.test(type)) {
    form = await new Response(body, { headers: { 'content-type': type } }).formData();
  }
  return {
    method: req.method ?? 'GET',
    url: `${url.pathname}${url.search}`,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    receivedAt,
    ...(json === undefined ? {} : { json }),
    ...(form === undefined ? {} : { form }),
  };
}

function check(contracts: Contracts, request: RecordedRequest, answer: Canned, violations: string[]): void {
  // Atlassian's OAuth endpoints and Data Center's /secure/attachment are no REST paths: nothing to check.
  if (locate(request.url) === undefined) return;
  const where = `${request.method} ${request.path}`;
  const req = contracts.checkRequest({
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.json === undefined ? {} : { body: request.json }),
    multipart: request.form !== undefined,
  });
  const res = contracts.checkResponse(
    { method: request.method, url: request.url },
    {
      status: answer.status,
      ...(answer.json === undefined ? {} : { body: answer.json }),
      contentType:
        answer.headers?.['content-type'] ?? (answer.json === undefined ? undefined : 'application/json'),
    },
  );
  // Multipart forms are not checked by the contract (it cannot parse them); the upload tests assert them.
  for (const v of [...req.violations, ...res.violations]) {
    violations.push(`${where}: ${v}`);
  }
}

function send(res: ServerResponse, answer: Canned): void {
  const headers: Record<string, string> = { ...answer.headers };
  let body: string | Uint8Array | undefined = answer.body;
  if (answer.json !== undefined) {
    body = JSON.stringify(answer.json);
    headers['content-type'] ??= 'application/json;charset=UTF-8';
  }
  res.writeHead(answer.status, headers);
  res.end(body);
}

export async function startJiraServer(options: { readonly contracts?: boolean } = {}): Promise<JiraServer> {
  const contracts = options.contracts === false ? undefined : await loadContracts();
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  let base = 'http://127.0.0.1';

  const route = (req: RecordedRequest): Route | undefined => {
    const candidates = routes.filter((r) => r.method === req.method && matches(r.path, req.path));
    return candidates.find((r) => r.once) ?? candidates.at(-1);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const recorded = await record(req, base);
      requests.push(recorded);
      const found = route(recorded);
      let answer: Canned;
      if (!found) {
        answer = {
          status: 404,
          json: { errorMessages: [`no test route for ${recorded.method} ${recorded.path}`], errors: {} },
        };
        violations.push(`${recorded.method} ${recorded.path}: no route in the test server`);
      } else {
        if (found.once) routes.splice(routes.indexOf(found), 1);
        answer = await found.handler(recorded);
      }
      if (contracts) check(contracts, recorded, answer, violations);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (!res.destroyed) send(res, answer);
    })().catch((error: unknown) => {
      violations.push(`test server failure: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const listener = await listenOnLoopback(server, 0);
  base = listener.url;

  const add = (once: boolean) => (method: string, path: Matcher, answer: Canned | Handler) => {
    routes.push({ method, path, once, handler: typeof answer === 'function' ? answer : () => answer });
  };

  return {
    url: listener.url,
    requests,
    violations,
    on: add(false),
    once: add(true),
    requestsTo: (method, path) => requests.filter((r) => r.method === method && matches(path, r.path)),
    reset() {
      routes.length = 0;
      requests.length = 0;
      violations.length = 0;
    },
    stop: listener.stop,
  };
}
