import type { Connection } from '../config/schema.ts';

/**
 * Classic scopes jira-sync needs: read and write issues, comments, attachments and links; read users;
 * register dynamic webhooks (the only kind an OAuth app may register); and offline_access for the refresh
 * token without which the connection would die after an hour.
 */
export const DEFAULT_SCOPES = [
  'read:jira-work',
  'write:jira-work',
  'read:jira-user',
  'manage:jira-webhook',
  'offline_access',
] as const;

/** Service Management: request comments (public/internal), participants, customers. */
export const SERVICE_MANAGEMENT_SCOPES = [
  'read:servicedesk-request',
  'write:servicedesk-request',
  'manage:servicedesk-customer',
] as const;

/** The scopes a connection asks for at consent; `offline_access` is always included. */
export function consentScopes(connection: Connection): string[] {
  if (connection.auth.type !== 'oauth') return [];
  const configured = connection.auth.scopes ?? [
    ...DEFAULT_SCOPES,
    ...(connection.serviceManagement ? SERVICE_MANAGEMENT_SCOPES : []),
  ];
  return [...new Set([...configured, 'offline_access'])];
}
