/**
 * Log lines of the local infrastructure (not of the handlers, which log through Powertools). JSON lines like
 * the handlers', tagged `service: "local-stack"`, so one `jq` filter reads both.
 */
export type LocalLog = (
  level: 'INFO' | 'WARN' | 'ERROR',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export const jsonLinesLog: LocalLog = (level, message, fields = {}) => {
  const line = { level, message, timestamp: new Date().toISOString(), service: 'local-stack', ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

export const silentLog: LocalLog = () => {};

/** An error as loggable fields: name, message, code and the cause chain (no stack noise for expected errors). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const fields: Record<string, unknown> = { errorType: error.name, errorMessage: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') fields.errorCode = code;
  if (error.stack)
    fields.stack = error.stack
      .split('\n')
      .slice(1, 6)
      .map((l) => l.trim());
  if (error.cause !== undefined) fields.cause = errorFields(error.cause);
  return fields;
}
