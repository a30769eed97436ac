/**
 * Secrets the demo configuration (`local/demo.config.yaml`) refers to. Values are local-only placeholders
 * for the Jira simulators; real credentials never belong here.
 */

export const DEFAULT_DEMO_WEBHOOK_SECRET = 'local-demo-secret';

/**
 * Written to `.local/secrets.json` only when absent, so local edits survive restarts. Shapes per auth type
 * are those `shared/jira/auth/credentials.ts` reads (a unit test parses these): Cloud basic
 * `{email, apiToken}`, Data Center basic `{username, password}`, pat `{token}`, oauth
 * `{clientId, clientSecret}` plus the tokens the consent adds.
 */
export const DEMO_AUTH_SECRETS: Readonly<Record<string, string>> = {
  'jira-sync/demo-cloud/auth': JSON.stringify({
    email: 'jira-sync@example.com',
    apiToken: 'local-demo-api-token',
  }),
  'jira-sync/demo-dc/auth': JSON.stringify({ token: 'local-demo-personal-access-token' }),
};

/** Written on every start: the environment variable is their source of truth. */
export function demoWebhookSecrets(secret: string): Record<string, string> {
  return { 'jira-sync/demo-cloud/webhook': secret, 'jira-sync/demo-dc/webhook': secret };
}
