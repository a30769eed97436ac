import { AppError } from '../errors/app-error.ts';
import { type SyncEvent, syncEventSchema } from '../webhook/sync-event.ts';

/**
 * A queue message that is not a SyncEvent. It can never succeed, but it is not dropped either: it fails
 * its record, so after the queue's maximum receives it lands in the DLQ where `reason` explains it.
 */
export class InvalidSyncRecord extends AppError {
  readonly code = 'INVALID_SYNC_RECORD';
  readonly retryable = false;
}

export function parseSyncRecord(body: string, messageId: string): SyncEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new InvalidSyncRecord(`message ${messageId}: body is not JSON`, { cause });
  }
  const parsed = syncEventSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new InvalidSyncRecord(`message ${messageId}: not a SyncEvent (${where})`, { cause: parsed.error });
  }
  return parsed.data;
}
