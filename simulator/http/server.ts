import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { sleep } from '../clock.ts';
import { JiraError } from '../errors.ts';
import type { Attachment } from '../model/types.ts';
import { requiredScope } from '../oauth.ts';
import type { Principal, SiteRuntime } from '../runtime.ts';
import { authenticate } from './auth.ts';
import { isJson, parseJsonBody, readBody } from './body.ts';
import { boundaryOf, type FormPart, parseMultipart } from './multipart.ts';
import type { Reply } from './reply.ts';
import type { Api, Router } from './route.ts';

/**
 * The request pipeline of a simulated site: body → contract check of the request → latency → route →
 * authentication (and OAuth scopes) → injected faults and rate limits → handler → contract check of the
 * response. The same pipeline serves the site URL and the OAuth gateway's `/ex/jira/{cloudId}` paths.
 */

export interface SiteRequestOptions {
  /** Removed from the path before routing: a Data Center context path or the gateway prefix. */
  readonly prefix: string;
  /** The URL links in responses start with (Jira renders links for the URL it was called on). */
  readonly base: string;
  /** The OAuth gateway resolves bearer tokens itself; sites authenticate Basic and PAT callers. */
  readonly authenticate?: (req: IncomingMessage) => Principal | undefined;
  readonly onError?: (error: unknown) => void;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

function errorBody(api: Api, error: JiraError): unknown {
  if (api === 'servicedesk') {
    const message = [...error.errorMessages, ...Object.values(error.errors)].join(' ');
    return { errorMessage: message, i18nErrorMessage: { i18nKey: 'sd.simulator.error', parameters: [] } };
  }
  return { errorMessages: [...error.errorMessages], errors: { ...error.errors } };
}

function errorReply(api: Api, error: JiraError): Reply {
  return { status: error.status, body: errorBody(api, error), headers: { ...error.headers } };
}

function apiOf(path: string): Api {
  if (path.startsWith('/rest/servicedeskapi/')) return 'servicedesk';
  if (path.startsWith('/rest/webhooks/')) return 'webhooks-admin';
  return 'platform';
}

/** `MultipartFile` descriptors: how the contract describes an upload's parts. */
function describeParts(parts: readonly FormPart[]): unknown[] {
  return parts.map((p) => ({
    name: p.name,
    ...(p.filename === undefined ? {} : { originalFilename: p.filename }),
    contentType: p.contentType,
    size: p.content.length,
    empty: p.content.length === 0,
  }));
}

function chunked(content: Buffer): Readable {
  const size = 64 * 1024;
  function* chunks() {
    for (let i = 0; i < content.length; i += size) yield content.subarray(i, i + size);
  }
  return Readable.from(chunks());
}

export function attachmentStream(attachment: Attachment): Reply {
  return {
    status: 200,
    headers: { 'Content-Disposition': `attachment; filename="${attachment.filename.replace(/"/g, '')}"` },
    stream: {
      content: chunked(attachment.content),
      contentType: attachment.mimeType,
      length: attachment.content.length,
    },
  };
}

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.stream) {
    res.writeHead(reply.status, {
      ...headers,
      'Content-Type': reply.stream.contentType,
      ...(reply.stream.length === undefined ? {} : { 'Content-Length': String(reply.stream.length) }),
    });
    for await (const chunk of reply.stream.content) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
    return;
  }
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...headers,
    'Content-Type': JSON_TYPE,
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** `/secure/attachment/{id}/{name}`: Data Center's content URL (authenticated) and Cloud's signed media URL. */
async function media(
  site: SiteRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const id = /^\/secure\/attachment\/(\d+)(?:\/|$)/.exec(path)?.[1] ?? '';
  const attachment = site.state.attachments.get(id);
  const token = query.get('token');
  try {
    if (!attachment) throw JiraError.notFound('The attachment does not exist.');
    if (token === null || !site.checkMediaToken(id, token)) {
      const principal = authenticate(site, req.headers.authorization);
      const issue = site.state.issues.get(attachment.issueId);
      if (
        !principal ||
        !issue ||
        !(site.state.visibleIssue(principal.user, issue) || site.state.portalCanSee(principal.user, issue))
      ) {
        throw JiraError.notFound('The attachment does not exist.');
      }
    }
    await send(res, attachmentStream(attachment));
  } catch (error) {
    await send(
      res,
      errorReply('platform', error instanceof JiraError ? error : new JiraError(500, ['Internal error'])),
    );
  }
}

export async function handleSiteRequest(
  site: SiteRuntime,
  router: Router,
  req: IncomingMessage,
  res: ServerResponse,
  options: SiteRequestOptions,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname.startsWith(options.prefix)
    ? url.pathname.slice(options.prefix.length) || '/'
    : url.pathname;
  if (path.startsWith('/secure/attachment/')) {
    await media(site, req, res, path, url.searchParams);
    return;
  }
  const api = apiOf(path);
  const exchange = { method, url: `${path}${url.search}` };
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;

  let reply: Reply;
  let operation = `${method} ${path}`;
  let lostWrite = false;
  let limitedUser: string | undefined;
  try {
    const raw = await readBody(req, site.maxRequestBytes);
    const contentType = req.headers['content-type'];
    const boundary = boundaryOf(contentType);
    let body: unknown;
    let parts: FormPart[] = [];
    if (boundary) parts = parseMultipart(raw, boundary);
    else if (raw.length > 0 && isJson(contentType)) body = parseJsonBody(raw);
    site.contracts.request({
      ...exchange,
      headers,
      ...(boundary ? { body: describeParts(parts) } : body === undefined ? {} : { body }),
    });
    if (raw.length > 0 && !boundary && !isJson(contentType)) {
      throw new JiraError(415, [`Unsupported media type ${contentType ?? '(none)'}: send application/json.`]);
    }
    await sleep(site.clock, site.faults.latencyMs());

    const match = router.match(method, path, site.flavour);
    if (match === 'method-not-allowed') throw new JiraError(405, [`Method ${method} is not allowed here.`]);
    if (!match) {
      if (site.flavour === 'cloud' && /^\/rest\/api\/[^/]+\/search$/.test(path)) {
        throw new JiraError(410, [
          'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.',
        ]);
      }
      if (path.startsWith('/rest/api/3/')) {
        throw JiraError.notFound(
          'The simulator serves REST v2 (/rest/api/2, wiki markup), as jira-sync speaks it; v3 only for webhooks.',
        );
      }
      throw JiraError.notFound(`No Jira REST resource at ${method} ${path}.`);
    }
    operation = match.template;
    const anonymous = match.route.path === '/serverInfo';
    const principal = options.authenticate
      ? options.authenticate(req)
      : authenticate(site, req.headers.authorization);
    if (!principal && !anonymous) throw JiraError.unauthorized();
    if (principal?.via === 'oauth' && !principal.scopes?.has(requiredScope(method, path))) {
      throw JiraError.unauthorized('Unauthorized; scope does not match');
    }
    const issueRef = match.params.issueIdOrKey;
    limitedUser = principal?.user.handle;
    const fault = site.faults.check({
      method,
      path,
      route: match.template,
      write: match.route.write === true,
      ...(issueRef === undefined ? {} : { issueId: site.state.findIssue(issueRef)?.id ?? issueRef }),
      ...(limitedUser === undefined ? {} : { user: limitedUser }),
    });
    if (fault) throw fault;
    lostWrite = site.faults.loseWriteResponse(match.route.write === true);
    const actor = principal?.user ?? site.state.users.values().next().value;
    if (!actor) throw JiraError.unauthorized();
    reply = await match.route.handler({
      site,
      ops: site.ops,
      actor,
      principal: principal ?? { user: actor, via: 'basic' },
      params: match.params,
      query: url.searchParams,
      body,
      parts,
      headers: req.headers,
      render: { state: site.state, base: options.base },
      method,
    });
  } catch (error) {
    if (error instanceof JiraError) {
      reply = errorReply(api, error);
    } else {
      options.onError?.(error);
      reply = errorReply(api, new JiraError(500, ['Internal server error in the Jira simulator.']));
    }
  }
  if (limitedUser !== undefined && reply.status !== 429) {
    const rateHeaders = site.faults.userRateHeaders(limitedUser);
    if (Object.keys(rateHeaders).length > 0)
      reply = { ...reply, headers: { ...reply.headers, ...rateHeaders } };
  }
  site.countRequest(operation, reply.status);
  if (lostWrite && reply.status < 300) {
    // The write happened; the caller never hears of it (see `lostWriteResponses`).
    res.destroy();
    return;
  }
  site.contracts.response(exchange, {
    status: reply.status,
    ...(reply.stream
      ? { contentType: reply.stream.contentType }
      : reply.body === undefined
        ? {}
        : { body: reply.body, contentType: 'application/json' }),
  });
  try {
    await send(res, reply);
  } catch (error) {
    options.onError?.(error);
    res.destroy();
  }
}
