import * as z from 'zod';

/** One issue of a link. The key is kept for people reading logs; matching is by id. */
export const issueSideSchema = z.object({
  connectionId: z.string().min(1),
  issueId: z.string().regex(/^\d+$/),
  key: z.string().optional(),
});

const fieldBaseSchema = z.object({ source: z.string(), target: z.string() });

/** A comment copied one way: where it came from, its copy, and the hashes of both bodies when last synced. */
export const commentLinkSchema = z.object({
  origin: z.enum(['source', 'target']),
  sourceId: z.string(),
  targetId: z.string(),
  source: z.string(),
  target: z.string(),
});

export const attachmentLinkSchema = z.object({
  origin: z.enum(['source', 'target']),
  sourceId: z.string(),
  targetId: z.string(),
  filename: z.string(),
  size: z.number().int().nonnegative(),
});

export const linkRecordSchema = z.object({
  pk: z.string(),
  sk: z.literal('LINK'),
  flowId: z.string(),
  source: issueSideSchema,
  target: issueSideSchema.optional(),
  /** Set before the target issue is created; the new issue carries the id in an issue property. */
  intent: z.object({ id: z.string(), startedAt: z.number() }).optional(),
  base: z.record(z.string(), fieldBaseSchema),
  comments: z.array(commentLinkSchema),
  attachments: z.array(attachmentLinkSchema),
  sourceDeletedAt: z.number().optional(),
  /** When the last reconcile that completed began reading: an event received before then announced nothing new. */
  reconciledFrom: z.number().optional(),
  version: z.number().int().nonnegative(),
  lease: z.object({ owner: z.string(), until: z.number() }).optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export type IssueSide = z.infer<typeof issueSideSchema>;
export type CommentLink = z.infer<typeof commentLinkSchema>;
export type AttachmentLink = z.infer<typeof attachmentLinkSchema>;
export type LinkRecord = z.infer<typeof linkRecordSchema>;
/** What a reconcile may change; keys, version and lease belong to the store. */
export type LinkChanges = Partial<
  Pick<
    LinkRecord,
    'target' | 'intent' | 'base' | 'comments' | 'attachments' | 'sourceDeletedAt' | 'reconciledFrom'
  >
> & { readonly clearIntent?: boolean };
