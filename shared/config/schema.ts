import * as z from 'zod';

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

export const authSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('basic').describe('Cloud: e-mail + API token. Data Center: username + password.'),
      secret: secretRef,
    }),
    z.strictObject({
      type: z.literal('pat').describe('Data Center 8.14+: personal access token sent as Bearer.'),
      secret: secretRef,
    }),
    z.strictObject({
      type: z.literal('oauth').describe('Cloud: OAuth 2.0 (3LO) with rotating refresh tokens.'),
      secret: secretRef,
      scopes: z.array(z.string().min(1)).optional(),
    }),
  ])
  .describe('How the sync worker authenticates to this Jira site');

export const webhookVerifySchema = z
  .enum(['hmac', 'bearer', 'url-token'])
  .describe(
    'hmac: X-Hub-Signature over the body (Cloud admin webhooks with a secret); bearer: Authorization: Bearer (Automation "Send web request"); url-token: ?token= in the URL (Data Center / Server webhooks cannot sign)',
  );

export const webhookSchema = z.strictObject({
  verify: webhookVerifySchema,
  secret: secretRef.describe(
    'Secret holding the shared webhook secret: a plain string, or JSON {"current": "...", "previous": "..."} while rotating',
  ),
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
  })
  .superRefine((c, ctx) => {
    if (c.flavor === 'datacenter' && c.auth.type === 'oauth') {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'type'],
        message: 'oauth (3LO) is a Jira Cloud method; Data Center uses pat or basic',
      });
    }
  });

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
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type Connection = z.infer<typeof connectionSchema>;
export type WebhookVerify = z.infer<typeof webhookVerifySchema>;
