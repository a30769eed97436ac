import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import { intParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import {
  type AdminWebhook,
  adminWebhookInputSchema,
  DYNAMIC_WEBHOOK_LIFETIME_MS,
} from '../webhooks/registry.ts';

/**
 * Admin webhooks (`/rest/webhooks/1.0/webhook`, Jira administrators; in no OpenAPI file, so validated
 * here with zod) and dynamic webhooks (`/rest/api/{2,3}/webhook`, Cloud, OAuth 2.0 apps only).
 */

function requireAdmin(c: RouteContext): void {
  if (!c.actor.admin) throw JiraError.forbidden('Only Jira administrators can manage webhooks.');
}

function adminJson(c: RouteContext, w: AdminWebhook): Record<string, unknown> {
  const user = c.site.state.users.get(w.lastUpdatedUser);
  return {
    self: `${c.render.base}/rest/webhooks/1.0/webhook/${w.id}`,
    name: w.name,
    url: w.url,
    events: w.events,
    filters: { 'issue-related-events-section': w.jql ?? '' },
    excludeBody: w.excludeBody,
    enabled: w.enabled,
    description: w.description,
    lastUpdatedUser: user ? c.site.state.userRef(user) : w.lastUpdatedUser,
    lastUpdatedDisplayName: user?.displayName ?? w.lastUpdatedUser,
    lastUpdated: w.lastUpdated,
  };
}

function adminWebhook(c: RouteContext): AdminWebhook {
  const w = c.site.registry.admin.get(Number(c.params.id));
  if (!w) throw JiraError.notFound(`Webhook ${c.params.id ?? ''} does not exist.`);
  return w;
}

/** Dynamic webhooks belong to the OAuth app that registered them. */
function appOf(c: RouteContext): string {
  if (c.principal.via !== 'oauth' || !c.principal.appId) {
    throw JiraError.forbidden('Only Connect and OAuth 2.0 apps can use this operation.');
  }
  return c.principal.appId;
}

const idsSchema = z.looseObject({ webhookIds: z.array(z.number().int()).min(1) });
const registrationSchema = z.looseObject({
  url: z.url({ protocol: /^https?$/ }),
  webhooks: z
    .array(
      z.looseObject({
        events: z.array(z.string()).min(1),
        jqlFilter: z.string().min(1),
        fieldIdsFilter: z.array(z.string()).optional(),
        issuePropertyKeysFilter: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

const DYNAMIC_VERSIONS = ['2', '3', 'latest'];

export const webhookRoutes: Route[] = [
  {
    method: 'GET',
    path: '/webhook',
    api: 'webhooks-admin',
    handler: (c) => {
      requireAdmin(c);
      return json(
        200,
        [...c.site.registry.admin.values()].map((w) => adminJson(c, w)),
      );
    },
  },
  {
    method: 'POST',
    path: '/webhook',
    api: 'webhooks-admin',
    handler: (c) => {
      requireAdmin(c);
      const input = parseBody(adminWebhookInputSchema, c.body);
      return json(201, adminJson(c, c.site.registry.saveAdmin(input, c.actor.handle)));
    },
  },
  {
    method: 'GET',
    path: '/webhook/{id}',
    api: 'webhooks-admin',
    handler: (c) => {
      requireAdmin(c);
      return json(200, adminJson(c, adminWebhook(c)));
    },
  },
  {
    method: 'PUT',
    path: '/webhook/{id}',
    api: 'webhooks-admin',
    handler: (c) => {
      requireAdmin(c);
      const existing = adminWebhook(c);
      const input = parseBody(adminWebhookInputSchema, c.body);
      return json(200, adminJson(c, c.site.registry.saveAdmin(input, c.actor.handle, existing)));
    },
  },
  {
    method: 'DELETE',
    path: '/webhook/{id}',
    api: 'webhooks-admin',
    handler: (c) => {
      requireAdmin(c);
      c.site.registry.admin.delete(adminWebhook(c).id);
      return noContent();
    },
  },
  {
    method: 'POST',
    path: '/webhook',
    api: 'platform',
    versions: DYNAMIC_VERSIONS,
    flavours: ['cloud'],
    handler: (c) => {
      const appId = appOf(c);
      const input = parseBody(registrationSchema, c.body);
      const webhookRegistrationResult = input.webhooks.map((w) =>
        c.site.registry.registerDynamic(appId, c.actor.handle, input.url, {
          events: w.events,
          jqlFilter: w.jqlFilter,
          ...(w.fieldIdsFilter ? { fieldIdsFilter: w.fieldIdsFilter } : {}),
          ...(w.issuePropertyKeysFilter ? { issuePropertyKeysFilter: w.issuePropertyKeysFilter } : {}),
        }),
      );
      return json(200, { webhookRegistrationResult });
    },
  },
  {
    method: 'GET',
    path: '/webhook',
    api: 'platform',
    versions: DYNAMIC_VERSIONS,
    flavours: ['cloud'],
    handler: (c) => {
      const appId = appOf(c);
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 100, 100);
      const all = [...c.site.registry.dynamic.values()].filter((w) => w.appId === appId);
      const page = all.slice(startAt, startAt + maxResults);
      return json(200, {
        startAt,
        maxResults,
        total: all.length,
        isLast: startAt + page.length >= all.length,
        values: page.map((w) => ({
          id: w.id,
          jqlFilter: w.jqlFilter,
          events: w.events,
          url: w.url,
          expirationDate: w.expirationDate,
          ...(w.fieldIdsFilter ? { fieldIdsFilter: w.fieldIdsFilter } : {}),
          ...(w.issuePropertyKeysFilter ? { issuePropertyKeysFilter: w.issuePropertyKeysFilter } : {}),
        })),
      });
    },
  },
  {
    method: 'DELETE',
    path: '/webhook',
    api: 'platform',
    versions: DYNAMIC_VERSIONS,
    flavours: ['cloud'],
    handler: (c) => {
      const appId = appOf(c);
      const { webhookIds } = parseBody(idsSchema, c.body);
      for (const id of webhookIds) {
        // Webhooks of other apps are ignored, as Jira does.
        if (c.site.registry.dynamic.get(id)?.appId === appId) c.site.registry.dynamic.delete(id);
      }
      return noContent(202);
    },
  },
  {
    method: 'PUT',
    path: '/webhook/refresh',
    api: 'platform',
    versions: DYNAMIC_VERSIONS,
    flavours: ['cloud'],
    handler: (c) => {
      const appId = appOf(c);
      const { webhookIds } = parseBody(idsSchema, c.body);
      const expirationDate = c.site.clock.now() + DYNAMIC_WEBHOOK_LIFETIME_MS;
      for (const id of webhookIds) {
        const w = c.site.registry.dynamic.get(id);
        if (w?.appId === appId) w.expirationDate = expirationDate;
      }
      return json(200, { expirationDate });
    },
  },
  {
    method: 'GET',
    path: '/webhook/failed',
    api: 'platform',
    versions: DYNAMIC_VERSIONS,
    flavours: ['cloud'],
    handler: (c) => {
      const appId = appOf(c);
      const maxResults = intParam(c.query, 'maxResults', 100, 100);
      const after = intParam(c.query, 'after', 0);
      const mine = c.site.dispatcher
        .failures()
        .filter(
          (f) =>
            f.kind === 'dynamic' &&
            c.site.registry.dynamic.get(f.targetId)?.appId === appId &&
            f.failureTime > after,
        );
      const page = mine.slice(0, maxResults);
      const last = page[page.length - 1];
      return json(200, {
        maxResults,
        values: page.map((f) => ({ id: f.identifier, body: f.body, url: f.url, failureTime: f.failureTime })),
        ...(mine.length > page.length && last
          ? {
              next: `${c.render.base}/rest/api/2/webhook/failed?after=${last.failureTime}&maxResults=${maxResults}`,
            }
          : {}),
      });
    },
  },
];
