import type { Flow } from '../config/flows.ts';
import type { Side } from './merge.ts';
import type { SitePort } from './site-port.ts';

/** A user as a field carries it: the id plus what helps find the same person on the other site. */
export interface UserValue {
  readonly id: string;
  readonly email?: string;
  readonly displayName?: string;
}

export function userValue(raw: unknown, flavor: 'cloud' | 'datacenter'): UserValue | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const id = flavor === 'cloud' ? u.accountId : u.name;
  if (typeof id !== 'string' || id === '') return undefined;
  return {
    id,
    ...(typeof u.emailAddress === 'string' && u.emailAddress !== '' ? { email: u.emailAddress } : {}),
    ...(typeof u.displayName === 'string' ? { displayName: u.displayName } : {}),
  };
}

/**
 * Finds the same person on the other site by the flow's strategies, in order: the explicit table, the same
 * accountId (two Cloud sites of one organisation), the e-mail address (when the user lets it be seen).
 * Results are cached per reconcile; unmapped users fall back to the configured user or stay unmapped.
 */
export class UserMap {
  private readonly cache = new Map<string, string | undefined>();
  private readonly reverseTable: Record<string, string>;

  constructor(
    private readonly flow: Flow,
    private readonly sites: Readonly<Record<Side, SitePort>>,
  ) {
    this.reverseTable = Object.fromEntries(Object.entries(flow.users.table).map(([s, t]) => [t, s]));
  }

  async map(user: UserValue, to: Side): Promise<string | undefined> {
    const cacheKey = `${to}:${user.id}`;
    if (this.cache.has(cacheKey)) return this.cache.get(cacheKey);
    let found: string | undefined;
    for (const strategy of this.flow.users.match) {
      if (strategy === 'table') {
        // Own keys only: a username such as `constructor` must not find Object.prototype's.
        const table = to === 'target' ? this.flow.users.table : this.reverseTable;
        found = Object.hasOwn(table, user.id) ? table[user.id] : undefined;
      } else if (
        strategy === 'accountId' &&
        this.sites.source.flavor === 'cloud' &&
        this.sites.target.flavor === 'cloud'
      ) {
        found = user.id;
      } else if (
        strategy === 'username' &&
        this.sites[to].flavor === 'datacenter' &&
        this.sites[to === 'target' ? 'source' : 'target'].flavor === 'datacenter'
      ) {
        found = user.id;
      } else if (strategy === 'email' && user.email) found = await this.sites[to].findUserByEmail(user.email);
      if (found) break;
    }
    // The fallback only applies towards the target: the source keeps its people as they are.
    if (!found && to === 'target') found = this.flow.users.fallback;
    this.cache.set(cacheKey, found);
    return found;
  }
}
