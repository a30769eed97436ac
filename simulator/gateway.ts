import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type LoopbackListener, listenOnLoopback } from '../local/loopback-server.ts';
import { JiraError, SimulatorStartError } from './errors.ts';
import { isJson, parseForm, parseJsonBody, readBody } from './http/body.ts';
import type { OAuthAuthority } from './oauth.ts';
import type { Site } from './site.ts';

/**
 * Stands in for `auth.atlassian.com` and `api.atlassian.com` on one 127.0.0.1 port: the consent redirect
 * (`/authorize`, auto-approved), the token endpoint (`/oauth/token`), `/oauth/token/accessible-resources`,
 * and 3LO API calls on `/ex/jira/{cloudId}/rest/...`, which are served by the Cloud site with that cloudId
 * (links in the answers use the gateway URL, as Jira's do).
 */

export interface GatewayOptions {
  readonly port?: number;
  readonly oauth: OAuthAuthority;
  readonly sites: () => readonly Site[];
  /** The account that consents on `/authorize` when the request names none (`login_hint`). */
  readonly consentAccountId?: string;
  readonly onError?: (error: unknown) => void;
}

export interface Gateway {
  readonly url: string;
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { oauth } = options;
  const cloudSites = () => options.sites().filter((s) => s.flavour === 'cloud');
  let listener: LoopbackListener | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const api = /^\/ex\/jira\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (api) {
      const cloudId = api[1] ?? '';
      const site = cloudSites().find((s) => s.cloudId === cloudId);
      if (!site) {
        sendJson(res, 404, { errorMessages: [`No Jira site with cloudId ${cloudId}.`] });
        return;
      }
      const prefix = `/ex/jira/${cloudId}`;
      await site.handle(req, res, {
        prefix,
        base: `${listener?.url ?? ''}${prefix}`,
        authenticate: (r) => {
          const token = bearer(r);
          if (!token) throw JiraError.unauthorized('Unauthorized');
          const grant = oauth.resolve(token);
          if (grant === undefined || grant === 'expired') throw JiraError.unauthorized('Unauthorized');
          const principal = site.oauthPrincipal(grant.accountId, grant.clientId, grant.scopes);
          if (!principal)
            throw JiraError.unauthorized('Unauthorized; the account has no access to this site');
          return principal;
        },
      });
      return;
    }
    if (method === 'POST' && url.pathname === '/oauth/token') {
      const raw = await readBody(req, 64 * 1024);
      const params = isJson(req.headers['content-type'])
        ? ((parseJsonBody(raw) as Record<string, unknown> | undefined) ?? {})
        : parseForm(raw);
      const result = oauth.token(params);
      sendJson(res, result.ok ? 200 : result.status, result.body);
      return;
    }
    if (method === 'GET' && url.pathname === '/oauth/token/accessible-resources') {
      const token = bearer(req);
      const grant = token ? oauth.resolve(token) : undefined;
      if (grant === undefined || grant === 'expired') {
        sendJson(res, 401, { code: 401, message: 'Unauthorized' });
        return;
      }
      sendJson(
        res,
        200,
        cloudSites()
          .filter((s) => s.oauthPrincipal(grant.accountId, grant.clientId, grant.scopes))
          .map((s) => ({
            id: s.cloudId,
            url: s.baseUrl,
            name: s.id,
            scopes: [...grant.scopes],
            avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png',
          })),
      );
      return;
    }
    if (method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      const clientId = q.get('client_id') ?? '';
      const redirectUri = q.get('redirect_uri');
      if (!oauth.hasClient(clientId) || !redirectUri) {
        sendJson(res, 400, {
          error: 'invalid_request',
          error_description: 'Unknown client_id or missing redirect_uri.',
        });
        return;
      }
      const hint = q.get('login_hint') ?? options.consentAccountId;
      const user = hint
        ? cloudSites()
            .map((s) => s.state.findUser({ accountId: hint }) ?? s.state.findUser({ email: hint }))
            .find((u) => u?.accountId)
        : undefined;
      const target = new URL(redirectUri);
      if (!user?.accountId) {
        target.searchParams.set('error', 'access_denied');
      } else {
        const scopes = (q.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
        target.searchParams.set(
          'code',
          oauth.issueCode({ clientId, accountId: user.accountId, scopes, redirectUri }),
        );
      }
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      res.writeHead(302, { Location: target.toString() });
      res.end();
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent)
        sendJson(res, error instanceof JiraError ? error.status : 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  try {
    listener = await listenOnLoopback(server, options.port ?? 0);
  } catch (cause) {
    throw new SimulatorStartError(`the OAuth gateway could not listen on 127.0.0.1:${options.port ?? 0}`, {
      cause,
    });
  }
  const started = listener;
  return { url: started.url, stop: () => started.stop() };
}
