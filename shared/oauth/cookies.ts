import type { Cookie } from './consent.ts';

/** A `Set-Cookie` value: HttpOnly, Secure, SameSite=Lax (the callback is a top-level GET from Atlassian). */
export function serializeCookie(cookie: Cookie): string {
  return `${cookie.name}=${encodeURIComponent(cookie.value)}; Path=${cookie.path}; Max-Age=${cookie.maxAgeSeconds}; HttpOnly; Secure; SameSite=Lax`;
}

/** Cookies of a request, from API Gateway's `cookies` list (`name=value` each). */
export function parseCookies(cookies: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const cookie of cookies ?? []) {
    const at = cookie.indexOf('=');
    if (at <= 0) continue;
    const name = cookie.slice(0, at).trim();
    try {
      out[name] = decodeURIComponent(cookie.slice(at + 1).trim());
    } catch {
      // A cookie we cannot decode is not ours.
    }
  }
  return out;
}
