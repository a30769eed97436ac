import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from '../../../shared/oauth/cookies.ts';
import { renderPage } from '../../../shared/oauth/page.ts';

describe('consent pages and cookies', () => {
  it('escapes everything it puts on the page', () => {
    const page = renderPage('<b>x</b>', `Granted to "https://e.example/?a=1&b=<script>"`);

    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>');
    expect(page).toContain('&#60;script&#62;');
  });

  it('sets the state cookie HttpOnly, Secure, SameSite=Lax on the connection path', () => {
    expect(serializeCookie({ name: 'n', value: 'v w', path: '/oauth/acme', maxAgeSeconds: 600 })).toBe(
      'n=v%20w; Path=/oauth/acme; Max-Age=600; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it("reads API Gateway's cookie list and skips what it cannot decode", () => {
    expect(parseCookies(['a=1', 'b=x%20y', 'broken', 'c=%E0%A4%A'])).toEqual({ a: '1', b: 'x y' });
    expect(parseCookies(undefined)).toEqual({});
  });
});
