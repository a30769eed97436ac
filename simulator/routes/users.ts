import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import { intParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import { fullUserJson } from '../model/render.ts';
import type { User } from '../model/types.ts';

/** Users: by accountId on Cloud (usernames were removed), by username or key on Data Center. */

function lookup(c: RouteContext): User {
  const { state } = c.site;
  const accountId = c.query.get('accountId');
  const username = c.query.get('username');
  const key = c.query.get('key');
  if (c.site.flavour === 'cloud') {
    if (username !== null || key !== null) {
      throw JiraError.badRequest(
        "The query parameters 'username' and 'key' are not supported in GDPR strict mode; use 'accountId'.",
      );
    }
    if (accountId === null) throw JiraError.badRequest("The query parameter 'accountId' is required.");
  } else if (username === null && key === null) {
    throw JiraError.badRequest("The query parameter 'username' or 'key' is required.");
  }
  const user =
    username !== null
      ? state.findUser({ name: username })
      : key !== null
        ? state.findUser({ key })
        : state.findUser({ accountId: accountId ?? '' });
  if (!user)
    throw JiraError.notFound(
      `The user with ${accountId ? `accountId '${accountId}'` : `name '${username ?? key}'`} does not exist.`,
    );
  return user;
}

function matches(user: User, query: string): boolean {
  const q = query.toLowerCase();
  return (
    user.displayName.toLowerCase().includes(q) ||
    (user.name ?? '').toLowerCase().startsWith(q) ||
    (user.emailVisible && user.email.toLowerCase().startsWith(q)) ||
    // An exact e-mail finds even a user who hides it (Jira matches, but does not show it).
    user.email.toLowerCase() === q
  );
}

const newUserSchema = z.looseObject({
  emailAddress: z.email(),
  products: z.array(z.string()).default([]),
  displayName: z.string().optional(),
  name: z.string().optional(),
  password: z.string().optional(),
});

export const userRoutes: Route[] = [
  {
    method: 'GET',
    path: '/user',
    api: 'platform',
    handler: (c) => json(200, fullUserJson(c.render, lookup(c))),
  },
  {
    method: 'POST',
    path: '/user',
    api: 'platform',
    handler: (c) => {
      if (!c.actor.admin) throw JiraError.forbidden('Only Jira administrators can create users.');
      const input = parseBody(newUserSchema, c.body);
      const { state } = c.site;
      if (state.findUser({ email: input.emailAddress }))
        throw JiraError.badRequest(`A user with e-mail ${input.emailAddress} already exists.`);
      const n = state.nextId('user');
      const local = (input.name ?? input.emailAddress.split('@')[0] ?? `user${n}`)
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, '');
      const handle = state.users.has(local) || !/^[a-z]/.test(local) ? `u${n}` : local;
      const cloud = c.site.flavour === 'cloud';
      const user: User = {
        handle,
        ...(cloud
          ? { accountId: `712020:${Buffer.from(`${n}:${input.emailAddress}`).toString('hex').slice(0, 32)}` }
          : { name: handle, key: `JIRAUSER${n}` }),
        displayName: input.displayName ?? input.emailAddress,
        email: input.emailAddress,
        emailVisible: true,
        timeZone: 'UTC',
        accountType: 'atlassian',
        active: true,
        admin: false,
        apiTokens: [],
        ...(input.password === undefined ? {} : { password: input.password }),
        pats: [],
      };
      state.users.set(handle, user);
      return json(201, fullUserJson(c.render, user));
    },
  },
  {
    method: 'DELETE',
    path: '/user',
    api: 'platform',
    handler: (c) => {
      if (!c.actor.admin) throw JiraError.forbidden('Only Jira administrators can delete users.');
      const user = lookup(c);
      user.active = false;
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/user/search',
    api: 'platform',
    handler: (c) => {
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 50, 1000);
      const query = c.query.get('query') ?? c.query.get('username') ?? '';
      const accountId = c.query.get('accountId');
      if (query === '' && accountId === null)
        throw JiraError.badRequest("One of 'query' or 'accountId' is required.");
      if (c.actor.accountType === 'customer') return json(200, []);
      const found = [...c.site.state.users.values()].filter(
        (u) =>
          u.active &&
          (accountId === null || u.accountId === accountId) &&
          (query === '' || matches(u, query)),
      );
      return json(
        200,
        found.slice(startAt, startAt + maxResults).map((u) => fullUserJson(c.render, u)),
      );
    },
  },
  {
    method: 'GET',
    path: '/user/bulk',
    api: 'platform',
    handler: (c) => {
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 10, 200);
      const wanted = [
        ...c.query.getAll('accountId'),
        ...c.query.getAll('username'),
        ...c.query.getAll('key'),
      ];
      if (wanted.length === 0) throw JiraError.badRequest("The query parameter 'accountId' is required.");
      const found = wanted.flatMap((ref) => {
        const u =
          c.site.state.findUser({ accountId: ref }) ??
          c.site.state.findUser({ name: ref }) ??
          c.site.state.findUser({ key: ref });
        return u ? [u] : [];
      });
      const page = found.slice(startAt, startAt + maxResults);
      return json(200, {
        self: `${c.render.base}/rest/api/2/user/bulk?startAt=${startAt}&maxResults=${maxResults}`,
        maxResults,
        startAt,
        total: found.length,
        isLast: startAt + page.length >= found.length,
        values: page.map((u) => fullUserJson(c.render, u)),
      });
    },
  },
];
