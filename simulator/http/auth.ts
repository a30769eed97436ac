import { JiraError } from '../errors.ts';
import type { User } from '../model/types.ts';
import type { Principal, SiteRuntime } from '../runtime.ts';

/**
 * Authentication as each flavour does it. Cloud: Basic with e-mail and API token (passwords are refused);
 * OAuth 2.0 bearer tokens only through the `api.atlassian.com/ex/jira/{cloudId}` gateway. Data Center:
 * Basic with username and password, Bearer with a personal access token.
 */

function decodeBasic(value: string): { user: string; secret: string } | undefined {
  try {
    const text = Buffer.from(value, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0) return undefined;
    return { user: text.slice(0, colon), secret: text.slice(colon + 1) };
  } catch {
    return undefined;
  }
}

function failed(site: SiteRuntime): JiraError {
  return site.flavour === 'cloud'
    ? JiraError.unauthorized('Client must be authenticated to access this resource.')
    : new JiraError(
        401,
        ['You are not authenticated. Authentication required to perform this operation.'],
        {},
        {
          'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED',
        },
      );
}

/** The caller, undefined for anonymous requests; throws 401 for credentials that do not check out. */
export function authenticate(site: SiteRuntime, authorization: string | undefined): Principal | undefined {
  if (authorization === undefined || authorization.trim() === '') return undefined;
  const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
  const users = [...site.state.users.values()].filter((u) => u.active);
  if (scheme.toLowerCase() === 'basic') {
    const creds = decodeBasic(value);
    if (!creds) throw failed(site);
    let user: User | undefined;
    if (site.flavour === 'cloud') {
      user = users.find(
        (u) => u.email.toLowerCase() === creds.user.toLowerCase() && u.apiTokens.includes(creds.secret),
      );
    } else {
      user = users.find(
        (u) => u.name === creds.user && u.password !== undefined && u.password === creds.secret,
      );
    }
    if (!user) throw failed(site);
    return { user, via: 'basic' };
  }
  if (scheme.toLowerCase() === 'bearer') {
    if (site.flavour === 'cloud') {
      // 3LO access tokens are valid on api.atlassian.com only, never on the site URL.
      throw failed(site);
    }
    const user = users.find((u) => u.pats.includes(value));
    if (!user) throw failed(site);
    return { user, via: 'pat' };
  }
  throw failed(site);
}
