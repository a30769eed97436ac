import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type LoopbackListener, listenOnLoopback } from '../../local/loopback-server.ts';
import { ManualClock } from '../../simulator/clock.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator/simulator.ts';
import type { Site, SiteOptions } from '../../simulator/site.ts';

/** Shared by the simulator tests: two sites on a manual clock, a webhook receiver, a small REST caller. */

export const CLIENT = { clientId: 'jira-sync-test', clientSecret: 'jira-sync-test-secret' } as const;

export async function startTwoSites(
  options: Partial<SimulatorOptions> & { cloud?: Partial<SiteOptions>; dc?: Partial<SiteOptions> } = {},
): Promise<{ sim: Simulator; cloud: Site; dc: Site; clock: ManualClock }> {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock();
  const { cloud: cloudOptions, dc: dcOptions, ...rest } = options;
  const sim = await startSimulator({
    gateway: { clients: [CLIENT] },
    ...rest,
    clock,
    sites: [
      { id: 'cloud', flavour: 'cloud', ...cloudOptions },
      { id: 'dc', flavour: 'datacenter', ...dcOptions },
    ],
  });
  return { sim, cloud: sim.site('cloud'), dc: sim.site('dc'), clock };
}

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  json(): Record<string, unknown>;
}

export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  /** Status to answer per request (default 202); return 'hang' to never answer. */
  respond: (request: Received, index: number) => number | 'hang';
  stop(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that records every request. */
export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const receiver: Receiver = {
    url: '',
    requests,
    respond: () => 202,
    stop: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const received: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
      };
      requests.push(received);
      const status = receiver.respond(received, requests.length - 1);
      if (status === 'hang') return;
      res.writeHead(status);
      res.end();
    });
  });
  const listener: LoopbackListener = await listenOnLoopback(server, 0);
  return Object.assign(receiver, { url: listener.url, stop: () => listener.stop() });
}

export function basic(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}

/** Default-seed credentials: Cloud e-mail + API token, Data Center PAT. */
export function authFor(site: Site, handle = 'jira-sync'): string {
  const user = site.user(handle);
  return site.flavour === 'cloud'
    ? basic(user.email, user.apiTokens[0] ?? '')
    : `Bearer ${user.pats[0] ?? ''}`;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading arbitrary Jira JSON
  readonly json: any;
  readonly text: string;
}

export async function call(
  baseUrl: string,
  auth: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** A REST caller bound to a site and a user. */
export function client(site: Site, handle = 'jira-sync') {
  const auth = authFor(site, handle);
  return (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    call(site.baseUrl, auth, method, path, body, headers);
}

export const q = encodeURIComponent;
