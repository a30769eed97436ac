import { WebhookRejected } from './errors.ts';

/**
 * Turns the raw request body into a plain object. Jira webhooks and Automation send JSON; Automation's
 * "Encode as form" sends `application/x-www-form-urlencoded`. Anything else is refused with a short reason.
 */
export function parseBody(body: Uint8Array, contentType: string | undefined): Record<string, unknown> {
  if (body.length === 0) throw new WebhookRejected(400, 'empty-body', 'the request body is empty');
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (mediaType === 'application/x-www-form-urlencoded') return parseForm(text);
  if (
    mediaType === '' ||
    mediaType === 'application/json' ||
    mediaType.endsWith('+json') ||
    mediaType === 'text/plain'
  ) {
    return parseJson(text);
  }
  throw new WebhookRejected(
    415,
    'unsupported-media-type',
    `unsupported content type "${mediaType.slice(0, 80)}" (JSON or form-encoded expected)`,
  );
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new WebhookRejected(400, 'invalid-json', 'the body is not valid JSON', { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WebhookRejected(400, 'invalid-json', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    // A field holding a JSON object (e.g. `issue={"id":"1"}`) is expanded: Automation lets users template one.
    out[key] = value.startsWith('{') ? (tryJsonObject(value) ?? value) : value;
  }
  if (Object.keys(out).length === 0)
    throw new WebhookRejected(400, 'invalid-form', 'the form body has no fields');
  return out;
}

function tryJsonObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
