import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import type { Route } from '../http/route.ts';
import { deleteIssueProperty, setIssueProperty } from '../model/issue-ops.ts';
import { browseIssue } from '../model/ops-context.ts';

export const propertyRoutes: Route[] = [
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/properties',
    api: 'platform',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = browseIssue(c.ops, c.actor, ref);
      return json(200, {
        keys: [...issue.properties.keys()].map((key) => ({
          self: `${c.render.base}/rest/api/2/issue/${issue.id}/properties/${encodeURIComponent(key)}`,
          key,
        })),
      });
    },
  },
  {
    method: 'GET',
    path: '/issue/{issueIdOrKey}/properties/{propertyKey}',
    api: 'platform',
    handler: (c) => {
      const issue = browseIssue(c.ops, c.actor, c.params.issueIdOrKey ?? '');
      const key = c.params.propertyKey ?? '';
      if (!issue.properties.has(key))
        throw JiraError.notFound(`The property with key '${key}' does not exist.`);
      return json(200, { key, value: issue.properties.get(key) });
    },
  },
  {
    method: 'PUT',
    path: '/issue/{issueIdOrKey}/properties/{propertyKey}',
    api: 'platform',
    write: true,
    handler: (c) => {
      if (c.body === undefined) throw JiraError.badRequest('The property value must be valid JSON.');
      const outcome = setIssueProperty(
        c.ops,
        c.actor,
        c.params.issueIdOrKey ?? '',
        c.params.propertyKey ?? '',
        c.body,
      );
      return noContent(outcome === 'created' ? 201 : 200);
    },
  },
  {
    method: 'DELETE',
    path: '/issue/{issueIdOrKey}/properties/{propertyKey}',
    api: 'platform',
    write: true,
    handler: (c) => {
      deleteIssueProperty(c.ops, c.actor, c.params.issueIdOrKey ?? '', c.params.propertyKey ?? '');
      return noContent();
    },
  },
];
