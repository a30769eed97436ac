import * as z from 'zod';

/**
 * Shapes shared by several operations. Every Jira object is a loose object: Atlassian adds fields without
 * notice, and a new field must never break the sync. Only what jira-sync reads is declared.
 */

/** Ids are strings in REST v2 but numbers in some answers (attachments, remote links): always a string here. */
export const idSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

/** A user: `accountId` on Cloud, `name`/`key` on Data Center. */
export const userSchema = z.looseObject({
  accountId: z.string().optional(),
  name: z.string().optional(),
  key: z.string().optional(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
  active: z.boolean().optional(),
  timeZone: z.string().optional(),
});
export type JiraUser = z.infer<typeof userSchema>;

/** `{key, value}` pairs: issue and comment properties. */
export const entityPropertySchema = z.looseObject({ key: z.string(), value: z.unknown() });
export type EntityProperty = z.infer<typeof entityPropertySchema>;

/** Platform paging fields; spread into a page schema next to its item list. */
export const platformPaging = {
  startAt: z.number().int().optional(),
  maxResults: z.number().int().optional(),
  total: z.number().int().optional(),
  isLast: z.boolean().optional(),
};

/** Service Management paging (`start`, `limit`, `size`, `isLastPage`, `values`). */
export function servicedeskPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    start: z.number().int().optional(),
    limit: z.number().int().optional(),
    size: z.number().int().optional(),
    isLastPage: z.boolean().optional(),
    values: z.array(item).default([]),
  });
}
