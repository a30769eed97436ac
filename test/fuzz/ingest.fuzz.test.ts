import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestWebhook } from '../../shared/webhook/ingest.ts';
import { signBody } from '../../shared/webhook/signature.ts';
import { syncEventSchema } from '../../shared/webhook/sync-event.ts';
import { HMAC_SECRET, jsonBody, makeDeps, URL_SECRET } from '../helpers/ingest-deps.ts';

// Thousands of hostile requests: never an unhandled error, never a 5xx for bad input, never an unverified
// request enqueued. The seed is printed by fast-check on failure; replay with { seed, path }.
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

const fixtureDir = join(import.meta.dirname, '../fixtures/webhooks');
const seeds: unknown[] = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(fixtureDir, f), 'utf8')) as unknown);

/** Replaces, deletes or retypes one value somewhere in a real payload. */
function mutate(value: unknown, path: number[], replacement: unknown, del: boolean): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [step, ...rest] = path;
  const index = (step ?? 0) % entries.length;
  const [key, child] = entries[index] as readonly [string, unknown];
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  if (rest.length === 0 || child === null || typeof child !== 'object') {
    if (del && !Array.isArray(copy)) delete copy[key];
    else (copy as Record<string, unknown>)[key] = replacement;
    return copy;
  }
  (copy as Record<string, unknown>)[key] = mutate(child, rest, replacement, del);
  return copy;
}

const mutatedPayload = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
    fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.constant(null),
      fc.integer(),
      fc.constant('10002'),
      fc.constant(-1),
    ),
    fc.boolean(),
  )
  .map(([seed, path, replacement, del]) => mutate(seed, path, replacement, del));

const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.string({ unit: 'binary', maxLength: 512 }).map((s) => new TextEncoder().encode(s)),
  fc.jsonValue().map(jsonBody),
  mutatedPayload.map(jsonBody),
  fc
    .dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 24 }))
    .map((d) => new TextEncoder().encode(new URLSearchParams(d).toString())),
);

const headerValue = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('Primary', 'Secondary', '0', '3', '-1', '99999', 'application/json', 'text/xml'),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  '',
);

const headersArb = fc.record({
  'content-type': contentType,
  'x-atlassian-webhook-identifier': headerValue,
  'x-atlassian-webhook-retry': headerValue,
  'x-atlassian-webhook-flow': headerValue,
  authorization: headerValue,
});

describe('ingest fuzz', () => {
  it('has real payloads to mutate', () => {
    expect(seeds.length).toBeGreaterThan(10);
  });

  it('never enqueues an unverified request and never answers 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody,
        headersArb,
        fc.oneof(
          fc.constant(undefined),
          fc.string({ maxLength: 140 }),
          fc.constant(`sha256=${'a'.repeat(64)}`),
        ),
        fc.constantFrom('cloud', 'automation', 'dc', 'unknown', ''),
        fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 })),
        async (body, headers, signature, connectionId, token) => {
          const { deps, queue } = makeDeps();
          const outcome = await ingestWebhook(
            {
              connectionId,
              headers: { ...headers, 'x-hub-signature': signature },
              query: { token },
              body,
              receivedAt: 1,
            },
            deps,
          );
          expect(outcome.status).toBeLessThan(500);
          expect(queue.events).toHaveLength(0);
          if (connectionId === 'unknown' || connectionId === '') expect(outcome.status).toBe(404);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers verified bad input with a 4xx or 202, and only enqueues valid SyncEvents', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, headersArb, async (body, headers) => {
        const { deps, queue } = makeDeps();
        const outcome = await ingestWebhook(
          {
            connectionId: 'cloud',
            headers: { ...headers, 'x-hub-signature': signBody('sha256', HMAC_SECRET, body) },
            query: {},
            body,
            receivedAt: 1,
          },
          deps,
        );
        expect([202, 400, 413, 415]).toContain(outcome.status);
        for (const event of queue.events) expect(syncEventSchema.safeParse(event).success).toBe(true);
        if (outcome.status !== 202) expect(queue.events).toHaveLength(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('handles verified mutations of every real payload on the url-token connection', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedPayload, headersArb, async (payload, headers) => {
        const { deps, queue } = makeDeps();
        const outcome = await ingestWebhook(
          {
            connectionId: 'dc',
            headers,
            query: { token: URL_SECRET },
            body: jsonBody(payload),
            receivedAt: 1,
          },
          deps,
        );
        expect(outcome.status).toBeLessThan(500);
        for (const event of queue.events) expect(syncEventSchema.parse(event)).toEqual(event);
      }),
      { numRuns: RUNS },
    );
  });
});
