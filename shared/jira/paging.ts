import type * as z from 'zod';
import type { JiraClient } from './client.ts';
import type { JiraRequest } from './request.ts';
import { servicedeskPageSchema } from './schemas.ts';

/** What one platform page answered, normalised. */
export interface PlatformPage<T> {
  readonly items: readonly T[];
  readonly startAt?: number | undefined;
  readonly total?: number | undefined;
  readonly isLast?: boolean | undefined;
}

/**
 * Walks `startAt` pages to the end. The end is `isLast`, or `startAt + items >= total`, or an empty page;
 * the next `startAt` counts what came back, since Jira may cap `maxResults` below what was asked.
 */
export async function* platformPages<T>(
  fetchPage: (startAt: number) => Promise<PlatformPage<T>>,
): AsyncGenerator<T, void, undefined> {
  let startAt = 0;
  for (;;) {
    const page = await fetchPage(startAt);
    yield* page.items;
    const next = (page.startAt ?? startAt) + page.items.length;
    if (page.items.length === 0 || page.isLast === true) return;
    if (page.total !== undefined && next >= page.total) return;
    if (page.isLast === undefined && page.total === undefined) return;
    startAt = next;
  }
}

/** Walks Service Management `start`/`limit` pages until `isLastPage`. */
export async function* servicedeskPages<T extends z.ZodType>(
  client: JiraClient,
  request: JiraRequest,
  item: T,
  limit = 50,
): AsyncGenerator<z.output<T>, void, undefined> {
  const schema = servicedeskPageSchema(item);
  let start = 0;
  for (;;) {
    const page = await client.send({
      ...request,
      query: { ...request.query, start, limit },
      expect: schema,
    });
    yield* page.values;
    if (page.isLastPage !== false || page.values.length === 0) return;
    start = (page.start ?? start) + page.values.length;
  }
}

/** Collects an async iterable; for callers that want every item at once. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
