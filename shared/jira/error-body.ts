import * as z from 'zod';
import type { JiraErrorBody } from './errors.ts';

// Platform errors carry `errorMessages` and `errors`; Service Management ones `errorMessage`.
const errorBodySchema = z.looseObject({
  errorMessages: z.array(z.unknown()).optional(),
  errorMessage: z.string().optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
});

/** Jira's error details from a response body, or empty ones when the body is not Jira's error JSON. */
export function readErrorBody(text: string): JiraErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { errorMessages: [], errors: {} };
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return { errorMessages: [], errors: {} };
  const messages = (parsed.data.errorMessages ?? []).map(String);
  if (parsed.data.errorMessage) messages.push(parsed.data.errorMessage);
  const errors: Record<string, string> = {};
  for (const [field, value] of Object.entries(parsed.data.errors ?? {})) {
    errors[field] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { errorMessages: messages, errors };
}
