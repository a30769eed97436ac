/**
 * Jira renders times as `2025-03-10T11:02:11.904+0100`; `Date.parse` needs the offset as `+01:00`.
 * Returns ms since the epoch, or undefined for anything else.
 */
export function parseJiraTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : ms;
}
