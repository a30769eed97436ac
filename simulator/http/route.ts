import type { IncomingHttpHeaders } from 'node:http';
import type * as z from 'zod';
import { JiraError } from '../errors.ts';
import type { OpsContext } from '../model/ops-context.ts';
import type { RenderContext } from '../model/render.ts';
import type { Flavour, User } from '../model/types.ts';
import type { Principal, SiteRuntime } from '../runtime.ts';
import type { FormPart } from './multipart.ts';
import type { Reply } from './reply.ts';

export type Api = 'platform' | 'servicedesk' | 'webhooks-admin';

export interface RouteContext {
  readonly site: SiteRuntime;
  readonly ops: OpsContext;
  readonly actor: User;
  readonly principal: Principal;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly parts: readonly FormPart[];
  readonly headers: IncomingHttpHeaders;
  readonly render: RenderContext;
  readonly method: string;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path under the API root, e.g. `/issue/{issueIdOrKey}`. */
  readonly path: string;
  readonly api: Api;
  /** REST versions served (platform): v2 and `latest` by default; v3 only where no rich text is involved. */
  readonly versions?: readonly string[];
  readonly flavours?: readonly Flavour[];
  /** Counts toward Jira's per-issue write limit (the issue is the `issueIdOrKey` parameter). */
  readonly write?: boolean;
  readonly multipart?: boolean;
  readonly handler: (c: RouteContext) => Reply | Promise<Reply>;
}

export const API_ROOT: Readonly<Record<Api, string>> = {
  platform: '/rest/api/{version}',
  servicedesk: '/rest/servicedeskapi',
  'webhooks-admin': '/rest/webhooks/1.0',
};

interface Compiled {
  readonly route: Route;
  readonly segments: readonly (string | { readonly param: string })[];
  readonly template: string;
}

export interface Match {
  readonly route: Route;
  readonly params: Record<string, string>;
  /** The route template, e.g. `GET /rest/api/2/issue/{issueIdOrKey}`: the rate-limit bucket key. */
  readonly template: string;
}

export class Router {
  private readonly compiled: Compiled[] = [];

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      const versions = route.api === 'platform' ? (route.versions ?? ['2', 'latest']) : [''];
      for (const version of versions) {
        const template = `${API_ROOT[route.api].replace('{version}', version)}${route.path}`;
        const segments = template
          .split('/')
          .filter((s) => s !== '')
          .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : s));
        this.compiled.push({ route, segments, template });
      }
    }
  }

  routes(): readonly Route[] {
    return [...new Set(this.compiled.map((c) => c.route))];
  }

  match(method: string, path: string, flavour: Flavour): Match | 'method-not-allowed' | undefined {
    const parts = path.split('/').filter((s) => s !== '');
    let methodMismatch = false;
    for (const c of this.compiled) {
      if (c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = c.segments[i];
        const part = parts[i] as string;
        if (typeof seg === 'string') ok = seg === part;
        else if (seg) {
          try {
            params[seg.param] = decodeURIComponent(part);
          } catch {
            ok = false;
          }
        }
      }
      if (!ok) continue;
      if (c.route.flavours && !c.route.flavours.includes(flavour)) continue;
      if (c.route.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { route: c.route, params, template: `${c.route.method} ${c.template}` };
    }
    return methodMismatch ? 'method-not-allowed' : undefined;
  }
}

/** Validates a request body at the simulator's boundary; Jira answers a malformed body with 400. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw JiraError.badRequest(messages);
}

export function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw JiraError.badRequest(`The '${name}' parameter must be a non-negative integer.`);
  return Math.min(n, max);
}

export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
