import * as z from 'zod';
import { type Flavour, PROJECT_PERMISSIONS } from './types.ts';

/**
 * What a site starts with. Validated with zod because it arrives from tests, the admin API and the demo
 * wiring. Handles (`alice`) name users everywhere in the programmatic API; on Data Center they are also
 * the usernames.
 */

const handle = z.string().regex(/^[a-z][a-z0-9._-]{0,39}$/, 'a lower-case handle such as "alice"');

export const userSeedSchema = z.strictObject({
  handle,
  displayName: z.string().min(1),
  email: z.email(),
  emailVisible: z.boolean().default(true),
  /** Cloud; generated from the handle when absent. */
  accountId: z.string().min(1).max(128).optional(),
  /** Data Center user key; generated when absent. */
  key: z.string().min(1).optional(),
  timeZone: z.string().default('UTC'),
  accountType: z.enum(['atlassian', 'app', 'customer']).default('atlassian'),
  admin: z.boolean().default(false),
  apiTokens: z.array(z.string().min(1)).default([]),
  password: z.string().min(1).optional(),
  pats: z.array(z.string().min(1)).default([]),
});

const permissionGrant = z.union([
  z.enum(['all', 'read-only', 'agent']),
  z.array(z.enum(PROJECT_PERMISSIONS)),
]);

export const requestTypeSeedSchema = z.strictObject({
  id: z.string().regex(/^\d+$/).optional(),
  name: z.string().min(1),
  description: z.string().default(''),
  helpText: z.string().default(''),
  /** Issue type name, e.g. "[System] Service request"; default the project's first type. */
  issueType: z.string().optional(),
  /** Field ids besides summary (always there, required) and description. */
  extraFields: z.array(z.string()).default([]),
});

export const projectSeedSchema = z.strictObject({
  key: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'an upper-case project key such as ENG'),
  name: z.string().min(1),
  description: z.string().default(''),
  type: z.enum(['software', 'service_desk']),
  id: z.string().regex(/^\d+$/).optional(),
  lead: handle,
  /**
   * Per handle: `all` (every project permission), `agent` (all, Service Management agent), `read-only`
   * (browse only) or an explicit list. Users not listed get nothing; by default every non-customer user
   * gets `all`.
   */
  permissions: z.record(z.string(), permissionGrant).optional(),
  serviceDesk: z
    .strictObject({
      id: z.string().regex(/^\d+$/).optional(),
      customers: z.array(handle).default([]),
      requestTypes: z.array(requestTypeSeedSchema).optional(),
    })
    .optional(),
});

export const customFieldSeedSchema = z.strictObject({
  name: z.string().min(1),
  type: z.enum(['text', 'textarea', 'number', 'select', 'user', 'date']),
  description: z.string().default(''),
  options: z.array(z.string().min(1)).default([]),
});

export const siteSeedSchema = z.strictObject({
  users: z.array(userSeedSchema).min(1),
  projects: z.array(projectSeedSchema),
  customFields: z.array(customFieldSeedSchema).optional(),
});

export type SiteSeed = z.input<typeof siteSeedSchema>;
export type ParsedSiteSeed = z.output<typeof siteSeedSchema>;
export type UserSeed = z.input<typeof userSeedSchema>;
export type ProjectSeed = z.input<typeof projectSeedSchema>;

export const DEFAULT_CUSTOM_FIELDS: z.input<typeof customFieldSeedSchema>[] = [
  { name: 'Team', type: 'text', description: 'Owning team' },
  { name: 'Story Points', type: 'number' },
  { name: 'Severity', type: 'select', options: ['Sev-1', 'Sev-2', 'Sev-3'] },
  { name: 'Reviewer', type: 'user' },
  { name: 'Target date', type: 'date' },
  { name: 'Root cause', type: 'textarea' },
];

/**
 * The default seed: an integration account, an admin/agent, an engineer, a customer, a user who hides
 * their e-mail and a read-only viewer; a Software project ENG and a Service Management project HELP.
 */
export function defaultSeed(flavour: Flavour): SiteSeed {
  const cloud = flavour === 'cloud';
  const creds = (name: string) =>
    cloud ? { apiTokens: [`${name}-api-token`] } : { password: `${name}-password`, pats: [`${name}-pat`] };
  return {
    users: [
      {
        handle: 'jira-sync',
        displayName: 'jira-sync',
        email: 'jira-sync@example.com',
        admin: true,
        ...(cloud ? { accountId: '712020:5c8e1a2b-0d4f-4a8e-9b6c-000000000001' } : {}),
        ...creds('jira-sync'),
      },
      {
        handle: 'alice',
        displayName: 'Alice Chen',
        email: 'alice.chen@acme.example',
        timeZone: 'Europe/Berlin',
        admin: true,
        ...(cloud ? { accountId: '712020:5c8e1a2b-0d4f-4a8e-9b6c-00000000a11c' } : {}),
        ...creds('alice'),
      },
      {
        handle: 'bob',
        displayName: 'Bob Martins',
        email: 'bob.martins@acme.example',
        timeZone: 'Europe/Lisbon',
        ...(cloud ? { accountId: '712020:0e3f2a7c-9b1d-4c8e-a1f2-3b4c5d6e7f80' } : {}),
        ...creds('bob'),
      },
      {
        handle: 'carol',
        displayName: 'Carol Customer',
        email: 'carol@customer.example',
        timeZone: 'Europe/London',
        accountType: cloud ? 'customer' : 'atlassian',
        ...(cloud ? { accountId: 'qm:a713c8ea-1075-4e30-9d96-891a7d181739:5ad6d3581db05e2a66fa80b' } : {}),
        ...creds('carol'),
      },
      {
        handle: 'dana',
        displayName: 'Dana Private',
        email: 'dana@acme.example',
        emailVisible: false,
        ...(cloud ? { accountId: '712020:5c8e1a2b-0d4f-4a8e-9b6c-0000000da4a0' } : {}),
        ...creds('dana'),
      },
      {
        handle: 'victor',
        displayName: 'Victor Viewer',
        email: 'victor@acme.example',
        ...(cloud ? { accountId: '712020:5c8e1a2b-0d4f-4a8e-9b6c-0000000b1e30' } : {}),
        ...creds('victor'),
      },
    ],
    projects: [
      {
        key: 'ENG',
        name: 'Engineering',
        type: 'software',
        lead: 'bob',
        permissions: { 'jira-sync': 'all', alice: 'all', bob: 'all', dana: 'all', victor: 'read-only' },
      },
      {
        key: 'HELP',
        name: 'IT Help Desk',
        type: 'service_desk',
        lead: 'alice',
        permissions: {
          'jira-sync': 'agent',
          alice: 'agent',
          bob: 'agent',
          dana: 'agent',
          victor: 'read-only',
        },
        serviceDesk: { customers: ['carol'] },
      },
    ],
  };
}

export function parseSeed(seed: SiteSeed): ParsedSiteSeed {
  return siteSeedSchema.parse(seed);
}
