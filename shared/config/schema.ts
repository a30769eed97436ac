import * as z from 'zod';
import { type Flow, flowSchema } from './flows.ts';

/**
 * The user-facing configuration file (`jira-sync.config.yaml`). One schema serves local runs, the Lambda
 * functions and `cdk synth`; the JSON Schema for editors is generated from it (`npm run schema`).
 * Secrets are referenced by Secrets Manager name or ARN, never inlined.
 */

const secretRef = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z0-9/_+=.@:-]+$/, 'a Secrets Manager secret name or ARN (letters, digits and /_+=.@:-)')
  .describe('Secrets Manager secret name or ARN');

export const connectionIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    'lower-case letters, digits and inner dashes, 1-40 characters (it appears in URLs and queue group ids)',
  )
  .describe('Stable identifier of the connection, used in the webhook URL /webhooks/{id}');

// Atlassian's OAuth 2.0 endpoints; overridable so local runs and tests can point them at 127.0.0.1.
export const ATLASSIAN_AUTHORIZE_URL = 'https://auth.atlassian.com/authorize';
export const ATLASSIAN_TOKEN_URL = 'https://auth.atlassian.com/oauth/token';
export const ATLASSIAN_API_URL = 'https://api.atlassian.com';

const endpointUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `an http(s) URL (${what})` }).describe(what);

export const oauthAuthSchema = z.strictObject({
  type: z.literal('oauth').describe('Cloud: OAuth 2.0 (3LO) with rotating refresh tokens.'),
  secret: secretRef.describe(
    'Secret holding JSON {"clientId", "clientSecret"}; the consent flow adds the tokens and cloudId',
  ),
  scopes: z
    .array(z.string().regex(/^[A-Za-z0-9:_.-]+$/, 'an OAuth scope such as read:jira-work'))
    .min(1)
    .optional()
    .describe(
      'Scopes asked for at consent; default read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access, plus read:servicedesk-request write:servicedesk-request manage:servicedesk-customer with serviceManagement',
    ),
  authorizeUrl: endpointUrl("Atlassian's consent page").default(ATLASSIAN_AUTHORIZE_URL),
  tokenUrl: endpointUrl("Atlassian's token endpoint").default(ATLASSIAN_TOKEN_URL),
  apiUrl: endpointUrl('Atlassian API gateway; Jira calls go to <apiUrl>/ex/jira/{cloudId}').default(
    ATLASSIAN_API_URL,
  ),
  redirectUri: endpointUrl(
    'Callback URL registered in the developer console; default: <this API>/oauth/{connectionId}/callback',
  ).optional(),
});

export const authSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z
        .literal('basic')
        .describe(
          'Cloud: e-mail + API token, secret {"email", "apiToken"}. Data Center: secret {"username", "password"}.',
        ),
      secret: secretRef,
    }),
    z.strictObject({
      type: z
        .literal('pat')
        .describe('Data Center 8.14+: personal access token sent as Bearer, secret {"token"}.'),
      secret: secretRef,
    }),
    oauthAuthSchema,
  ])
  .describe('How the sync worker authenticates to this Jira site');

export const webhookVerifySchema = z
  .enum(['hmac', 'bearer', 'url-token'])
  .describe(
    'hmac: X-Hub-Signature over the body (Cloud admin webhooks with a secret); bearer: Authorization: Bearer (Automation "Send web request"); url-token: ?token= in the URL (Data Center / Server webhooks cannot sign)',
  );

export const webhookRegisterSchema = z
  .union([z.literal(false), z.enum(['admin', 'dynamic'])])
  .default(false)
  .describe(
    "Let jira-sync register this connection's Jira webhook on deploy: admin (a Jira admin webhook, for basic/pat auth; needs the Jira administrator permission) or dynamic (an OAuth 2.0 app webhook, for oauth auth with verify: url-token; refreshed before its 30-day expiry). Default false: register it by hand.",
  );

export const webhookSchema = z.strictObject({
  verify: webhookVerifySchema,
  secret: secretRef.describe(
    'Secret holding the shared webhook secret: a plain string, or JSON {"current": "...", "previous": "..."} while rotating',
  ),
  register: webhookRegisterSchema,
});

export const integrationAccountSchema = z
  .strictObject({
    accountId: z.string().min(1).optional().describe('Cloud accountId of the account jira-sync writes as'),
    username: z.string().min(1).optional().describe('Data Center username (name) of that account'),
  })
  .refine((a) => a.accountId !== undefined || a.username !== undefined, {
    message: 'give accountId (Cloud) or username (Data Center)',
  })
  .describe('The account jira-sync writes as; webhooks it caused are dropped at ingest (loop prevention)');

export const rateLimitSchema = z
  .strictObject({
    requestsPerSecond: z
      .number()
      .positive()
      .max(1000)
      .default(10)
      .describe('Calls per second to this site, per worker container, all endpoints together (default 10)'),
    burst: z
      .int()
      .min(1)
      .max(2000)
      .default(20)
      .describe('Calls allowed at once after a quiet period (default 20)'),
  })
  .describe(
    "Client-side pacing of jira-sync's calls to this site, per worker container (each concurrent container paces on its own). Endpoints that answer 429 jira-burst-based are paced further on their own, learnt at run time. Default 10/s with bursts of 20.",
  );

export const connectionSchema = z
  .strictObject({
    id: connectionIdSchema,
    flavor: z.enum(['cloud', 'datacenter']).describe('Jira Cloud or Jira Data Center / Server 7.x+'),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://acme.atlassian.net' })
      .describe('Site base URL, e.g. https://acme.atlassian.net or https://jira.acme.internal/jira'),
    auth: authSchema,
    webhook: webhookSchema,
    serviceManagement: z.boolean().default(false).describe('Whether the site runs Jira Service Management'),
    integrationAccount: integrationAccountSchema.optional(),
    rateLimit: rateLimitSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.flavor === 'datacenter' && c.auth.type === 'oauth') {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'type'],
        message: 'oauth (3LO) is a Jira Cloud method; Data Center uses pat or basic',
      });
    }
    const problem = registrationProblem(c);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['webhook', 'register'], message: problem });
    }
  });

/** Why a connection's `webhook.register` cannot work with its auth and verification, if it cannot. */
function registrationProblem(c: {
  readonly flavor: 'cloud' | 'datacenter';
  readonly auth: { readonly type: string };
  readonly webhook: { readonly verify: WebhookVerify; readonly register: false | 'admin' | 'dynamic' };
}): string | undefined {
  const { register, verify } = c.webhook;
  if (register === 'dynamic') {
    if (c.auth.type !== 'oauth') {
      return 'dynamic webhooks can only be registered by an OAuth 2.0 app: use auth type oauth, or register: admin';
    }
    if (verify !== 'url-token') {
      return 'dynamic webhooks are neither signed nor send headers: use verify: url-token';
    }
  }
  if (register === 'admin') {
    if (c.auth.type === 'oauth') {
      return 'admin webhooks cannot be managed with OAuth 2.0 (3LO): use register: dynamic, or basic/pat auth';
    }
    if (verify === 'bearer') {
      return 'Jira admin webhooks send no Authorization header: use verify: hmac (Cloud) or url-token';
    }
    if (verify === 'hmac' && c.flavor === 'datacenter') {
      return 'Data Center webhooks are not signed: use verify: url-token';
    }
  }
  return undefined;
}

export const ingestSchema = z
  .strictObject({
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Webhook bodies above this size are answered 413 (API Gateway allows at most 10 MiB)'),
    secretTtlSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe('How long a webhook secret stays cached in a warm function'),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    connections: z.array(connectionSchema).min(1, 'at least one connection is needed'),
    flows: z.array(flowSchema).default([]).describe('What to keep in sync between the connections'),
    ingest: ingestSchema,
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.connections.forEach((c, i) => {
      const first = seen.get(c.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['connections', i, 'id'],
          message: `duplicate connection id "${c.id}" (first used at connections[${first}])`,
        });
      } else {
        seen.set(c.id, i);
      }
    });
    checkFlows(cfg, ctx);
  });

/** Cross-references a flow must satisfy offline; what exists in Jira is checked when a site is reachable. */
function checkFlows(
  cfg: { connections: readonly Connection[]; flows: readonly Flow[] },
  ctx: z.core.$RefinementCtx,
): void {
  const byId = new Map(cfg.connections.map((c) => [c.id, c]));
  const flowIds = new Map<string, number>();
  cfg.flows.forEach((flow, i) => {
    const first = flowIds.get(flow.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['flows', i, 'id'],
        message: `duplicate flow id "${flow.id}" (first used at flows[${first}])`,
      });
    } else {
      flowIds.set(flow.id, i);
    }
    for (const side of ['source', 'target'] as const) {
      if (!byId.has(flow[side].connection)) {
        ctx.addIssue({
          code: 'custom',
          path: ['flows', i, side, 'connection'],
          message: `no connection "${flow[side].connection}" (known: ${[...byId.keys()].join(', ')})`,
        });
      }
    }
    const target = byId.get(flow.target.connection);
    if (flow.target.requestType !== undefined && target && !target.serviceManagement) {
      ctx.addIssue({
        code: 'custom',
        path: ['flows', i, 'target', 'requestType'],
        message: `connection "${target.id}" does not have serviceManagement: true, so it has no request types`,
      });
    }
    if (
      flow.source.connection === flow.target.connection &&
      flow.source.project.toLowerCase() === flow.target.project.toLowerCase()
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['flows', i, 'target', 'project'],
        message: 'source and target are the same project: the flow would sync issues into themselves',
      });
    }
  });
}

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type Connection = z.infer<typeof connectionSchema>;
export type WebhookVerify = z.infer<typeof webhookVerifySchema>;
export type WebhookRegister = z.infer<typeof webhookRegisterSchema>;
export type AuthConfig = z.infer<typeof authSchema>;
export type OAuthAuthConfig = z.infer<typeof oauthAuthSchema>;
