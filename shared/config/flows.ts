import * as z from 'zod';

/**
 * Flows: what to keep in sync between two connections (or two projects of one site). Field, status and
 * value names are those users see in Jira; whether they exist is checked against the sites when they can
 * be reached (`npm start`, `jira-sync doctor`, and at a flow's first use), since `cdk synth` runs offline.
 */

export const directionSchema = z
  .enum(['two-way', 'source-to-target', 'target-to-source'])
  .describe('Which way changes flow');

const flowIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    'lower-case letters, digits and inner dashes, 1-40 characters',
  )
  .describe('Stable flow id: it keys the sync state, so renaming it starts the flow over');

const nonEmpty = z.string().trim().min(1);

export const flowSourceSchema = z.strictObject({
  connection: nonEmpty.describe('Connection id of the source site'),
  project: nonEmpty.describe('Project key, e.g. HELP'),
  issueTypes: z.array(nonEmpty).min(1).optional().describe('Only these issue types (names); default: all'),
  jql: nonEmpty.optional().describe('Further JQL the source issues must match, ANDed with the project'),
});

export const flowTargetSchema = z
  .strictObject({
    connection: nonEmpty.describe('Connection id of the target site'),
    project: nonEmpty.describe('Project key, e.g. ENG'),
    issueType: nonEmpty.optional().describe('Issue type created in the target project'),
    requestType: nonEmpty
      .optional()
      .describe(
        'Jira Service Management request type created instead of a plain issue (target must have JSM)',
      ),
  })
  .refine((t) => (t.issueType === undefined) !== (t.requestType === undefined), {
    message: 'give exactly one of issueType or requestType',
  });

const valueMapSchema = z
  .record(nonEmpty, nonEmpty)
  .describe(
    'Source value → target value; the reverse map is derived and must be one-to-one for two-way fields',
  );

export const fieldMappingSchema = z.union([
  z.strictObject({
    source: nonEmpty.describe(
      'Field on the source: summary, description, priority, labels, components, duedate, assignee, reporter, a customfield_NNNNN id or a custom field name',
    ),
    target: nonEmpty.optional().describe('Field on the target; default: the same as source'),
    direction: directionSchema.optional().describe("Default: the flow's direction"),
    values: valueMapSchema.optional(),
  }),
  z.strictObject({
    constant: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).describe('A fixed value'),
    target: nonEmpty.describe('Field on the target that receives the constant'),
  }),
]);

export const userMappingSchema = z
  .strictObject({
    match: z
      .array(z.enum(['accountId', 'email', 'username', 'table']))
      .min(1)
      .default(['table', 'accountId', 'email'])
      .describe('How a user on one site is found on the other, tried in order'),
    table: z
      .record(nonEmpty, nonEmpty)
      .default({})
      .describe('Explicit pairs: source user → target user (accountId or username)'),
    fallback: nonEmpty.optional().describe('Target user for anyone unmapped; default: leave the field empty'),
    noteOriginal: z
      .boolean()
      .default(true)
      .describe('Note the original name when a user could not be mapped'),
  })
  .prefault({});

export const statusMappingSchema = z.strictObject({
  map: z.record(nonEmpty, nonEmpty).describe('Source status → target status'),
  direction: directionSchema.optional(),
});

export const commentsSchema = z
  .strictObject({
    direction: directionSchema.optional(),
    /** JSM: copies reach a service desk as internal notes unless `public: true`. */
    public: z
      .boolean()
      .default(false)
      .describe(
        'Copies written to a Jira Service Management issue become public replies (default: internal notes)',
      ),
    internalToPublic: z
      .boolean()
      .default(false)
      .describe(
        'Let internal JSM notes be copied where everyone can read them (default: internal notes stay internal)',
      ),
    attribution: z.boolean().default(true).describe('Prefix copies with the original author and site'),
  })
  .prefault({});

export const attachmentsSchema = z
  .strictObject({
    direction: directionSchema.optional(),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(1024 * 1024 * 1024)
      .default(10 * 1024 * 1024)
      .describe('Larger attachments are not copied (noted in a comment instead)'),
  })
  .prefault({});

export const linksSchema = z
  .strictObject({
    issueLinkType: nonEmpty.default('Relates').describe('Link type between the two issues on the same site'),
    remoteLinks: z
      .boolean()
      .default(true)
      .describe('Across sites: a remote link on each issue pointing at the other'),
  })
  .prefault({});

export const onSourceDeletedSchema = z
  .discriminatedUnion('action', [
    z.strictObject({ action: z.literal('leave') }),
    z.strictObject({ action: z.literal('comment') }),
    z.strictObject({ action: z.literal('transition'), status: nonEmpty }),
  ])
  .default({ action: 'comment' });

export const flowSchema = z.strictObject({
  id: flowIdSchema,
  source: flowSourceSchema,
  target: flowTargetSchema,
  direction: directionSchema.default('two-way'),
  conflictPolicy: z.enum(['newest-wins', 'source-wins', 'target-wins']).default('newest-wins'),
  fields: z
    .array(fieldMappingSchema)
    .default([
      { source: 'summary' },
      { source: 'description' },
      { source: 'priority' },
      { source: 'labels' },
    ]),
  users: userMappingSchema,
  status: statusMappingSchema.optional(),
  comments: commentsSchema.or(z.literal(false)),
  attachments: attachmentsSchema.or(z.literal(false)),
  links: linksSchema,
  onSourceDeleted: onSourceDeletedSchema,
});

export type Flow = z.infer<typeof flowSchema>;
export type FieldMapping = z.infer<typeof fieldMappingSchema>;
