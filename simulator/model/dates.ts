/**
 * Jira's date formats. REST and webhooks render `yyyy-MM-dd'T'HH:mm:ss.SSSZ` with a numeric offset and no
 * colon (`+0000`), which is not RFC 3339: clients must parse it, so the simulator renders it exactly so.
 * The simulator renders every date in UTC.
 */
export function jiraDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Service Management `DateDTO`. */
export function dateDto(ms: number): {
  iso8601: string;
  jira: string;
  friendly: string;
  epochMillis: number;
} {
  const iso = new Date(ms).toISOString();
  return {
    iso8601: `${iso.slice(0, 19)}+0000`,
    jira: jiraDateTime(ms),
    friendly: `${iso.slice(0, 10)} ${iso.slice(11, 16)}`,
    epochMillis: ms,
  };
}

/** `X-RateLimit-Reset`: an ISO 8601 instant to the minute, `yyyy-MM-ddTHH:mmZ`. */
export function rateLimitReset(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDateOnly(value: string): boolean {
  const m = DATE_ONLY.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}
