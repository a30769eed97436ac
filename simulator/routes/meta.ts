import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json } from '../http/reply.ts';
import { listParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import { CUSTOM_FIELD_TYPES, serviceFieldIds } from '../model/catalog.ts';
import { jiraDateTime } from '../model/dates.ts';
import {
  customFieldJson,
  fieldNames,
  fullPriorityJson,
  fullUserJson,
  issueTypeJson,
  linkTypeJson,
  SYSTEM_FIELDS,
  statusJson,
} from '../model/render.ts';
import {
  type CustomFieldType,
  GLOBAL_PERMISSIONS,
  type Permission,
  PROJECT_PERMISSIONS,
  type Project,
} from '../model/types.ts';

/** Who am I, what may I do, and the site's configuration: fields, priorities, statuses, types, link types. */

function requireAdmin(c: RouteContext, status: number, what: string): void {
  if (!c.actor.admin) throw new JiraError(status, [`Only Jira administrators can ${what}.`]);
}

const PERMISSION_NAMES: Record<string, string> = Object.fromEntries(
  [...PROJECT_PERMISSIONS, ...GLOBAL_PERMISSIONS].map((p) => [
    p,
    p
      .toLowerCase()
      .replace(/_/g, ' ')
      .replace(/^\w/, (s) => s.toUpperCase()),
  ]),
);

function permissionContext(c: RouteContext): Project | undefined {
  const { state } = c.site;
  const issueRef = c.query.get('issueId') ?? c.query.get('issueKey');
  if (issueRef) {
    const issue = state.findIssue(issueRef);
    if (!issue || !state.visibleIssue(c.actor, issue))
      throw JiraError.notFound(`Issue '${issueRef}' does not exist or you do not have permission to see it.`);
    return state.projectOf(issue);
  }
  const projectRef = c.query.get('projectId') ?? c.query.get('projectKey');
  if (projectRef) {
    const project = state.findProject(projectRef);
    if (!project) throw JiraError.notFound(`No project could be found with key or id '${projectRef}'.`);
    return project;
  }
  return undefined;
}

function systemFieldJson(id: string, name: string): Record<string, unknown> {
  const types: Record<string, string> = {
    summary: 'string',
    description: 'string',
    environment: 'string',
    issuetype: 'issuetype',
    project: 'project',
    priority: 'priority',
    status: 'status',
    assignee: 'user',
    reporter: 'user',
    creator: 'user',
    labels: 'array',
    duedate: 'date',
    created: 'datetime',
    updated: 'datetime',
    resolution: 'resolution',
    resolutiondate: 'datetime',
    statuscategorychangedate: 'datetime',
    issuelinks: 'array',
    attachment: 'array',
    subtasks: 'array',
    components: 'array',
    fixVersions: 'array',
    versions: 'array',
    comment: 'comments-page',
    worklog: 'array',
  };
  return {
    id,
    key: id,
    name,
    custom: false,
    orderable: ![
      'created',
      'updated',
      'creator',
      'status',
      'statuscategorychangedate',
      'resolutiondate',
    ].includes(id),
    navigable: id !== 'comment' && id !== 'worklog',
    searchable: true,
    clauseNames: [id],
    schema: { type: types[id] ?? 'string', system: id },
  };
}

const customFieldTypeByKey = Object.fromEntries(
  Object.entries(CUSTOM_FIELD_TYPES).map(([type, t]) => [t.custom, type as CustomFieldType]),
);

export const metaRoutes: Route[] = [
  {
    method: 'GET',
    path: '/myself',
    api: 'platform',
    handler: (c) => json(200, fullUserJson(c.render, c.actor)),
  },
  {
    method: 'GET',
    path: '/serverInfo',
    api: 'platform',
    handler: (c) => {
      const cloud = c.site.flavour === 'cloud';
      return json(200, {
        baseUrl: c.site.baseUrl,
        version: cloud ? '1001.0.0-SNAPSHOT' : '9.12.15',
        versionNumbers: cloud ? [1001, 0, 0] : [9, 12, 15],
        deploymentType: cloud ? 'Cloud' : 'Server',
        buildNumber: cloud ? 100289 : 9120015,
        buildDate: '2025-03-03T00:00:00.000+0000',
        serverTime: jiraDateTime(c.site.clock.now()),
        scmInfo: 'jira-simulator',
        serverTitle: 'Jira',
      });
    },
  },
  {
    method: 'GET',
    path: '/mypermissions',
    api: 'platform',
    handler: (c) => {
      const wanted = listParam(c.query, 'permissions');
      if (wanted.length === 0 && c.site.flavour === 'cloud') {
        throw JiraError.badRequest('The permissions parameter is required.');
      }
      const all: Permission[] = [...PROJECT_PERMISSIONS, ...GLOBAL_PERMISSIONS];
      const keys = wanted.length > 0 ? wanted : all;
      const unknown = keys.filter((k) => !all.includes(k as Permission));
      if (unknown.length > 0) throw JiraError.badRequest(`Unknown permission keys: ${unknown.join(', ')}`);
      const project = permissionContext(c);
      const { state } = c.site;
      const permissions: Record<string, unknown> = {};
      for (const key of keys as Permission[]) {
        const global = (GLOBAL_PERMISSIONS as readonly string[]).includes(key);
        let have: boolean;
        if (key === 'ADMINISTER') have = c.actor.admin;
        else if (key === 'USER_PICKER') have = c.actor.accountType !== 'customer';
        else if (project)
          have = state.hasPermission(c.actor, project, key as (typeof PROJECT_PERMISSIONS)[number]);
        else
          have = [...state.projects.values()].some((p) =>
            state.hasPermission(c.actor, p, key as (typeof PROJECT_PERMISSIONS)[number]),
          );
        permissions[key] = {
          id: String(all.indexOf(key) + 1),
          key,
          name: PERMISSION_NAMES[key],
          type: global ? 'GLOBAL' : 'PROJECT',
          description: `Simulated ${PERMISSION_NAMES[key]?.toLowerCase()} permission.`,
          havePermission: have,
        };
      }
      return json(200, { permissions });
    },
  },
  {
    method: 'GET',
    path: '/field',
    api: 'platform',
    handler: (c) => {
      const names = fieldNames(c.site.state) as Record<string, string>;
      const service = serviceFieldIds(c.site.flavour);
      const system = SYSTEM_FIELDS.map((id) => systemFieldJson(id, names[id] ?? id));
      const custom = [...c.site.state.customFields.values()].map(customFieldJson);
      const jsm = [
        {
          id: service.requestType,
          key: service.requestType,
          name: 'Request Type',
          custom: true,
          orderable: true,
          navigable: true,
          searchable: true,
          clauseNames: ['Request Type'],
          schema: {
            type: 'sd-customerrequesttype',
            custom: 'com.atlassian.servicedesk:vp-origin',
            customId: Number(service.requestType.slice(12)),
          },
        },
        {
          id: service.participants,
          key: service.participants,
          name: 'Request participants',
          custom: true,
          orderable: true,
          navigable: true,
          searchable: true,
          clauseNames: ['Request participants'],
          schema: {
            type: 'array',
            items: 'user',
            custom: 'com.atlassian.servicedesk:sd-request-participants',
            customId: Number(service.participants.slice(12)),
          },
        },
      ];
      return json(200, [...system, ...custom, ...jsm]);
    },
  },
  {
    method: 'POST',
    path: '/field',
    api: 'platform',
    handler: (c) => {
      requireAdmin(c, 400, 'create custom fields');
      const input = parseBody(
        z.looseObject({
          name: z.string().min(1),
          type: z.string(),
          description: z.string().optional(),
          options: z.array(z.string()).optional(),
        }),
        c.body,
      );
      const type = customFieldTypeByKey[input.type];
      if (!type)
        throw JiraError.badRequest(
          `The custom field type '${input.type}' is not supported by the simulator.`,
        );
      const { state } = c.site;
      const numericId = Number(state.nextId('field')) + (state.flavour === 'cloud' ? 100 : 300);
      const field = {
        id: `customfield_${numericId}`,
        numericId,
        name: input.name,
        description: input.description ?? '',
        type,
        options: (input.options ?? []).map((value, i) => ({ id: String(numericId * 10 + i), value })),
      };
      state.customFields.set(field.id, field);
      return json(201, customFieldJson(field));
    },
  },
  {
    method: 'GET',
    path: '/priority',
    api: 'platform',
    handler: (c) =>
      json(
        200,
        [...c.site.state.priorities.values()].map((p) => fullPriorityJson(c.render, p)),
      ),
  },
  {
    method: 'POST',
    path: '/priority',
    api: 'platform',
    handler: (c) => {
      requireAdmin(c, 403, 'create priorities');
      const input = parseBody(
        z.looseObject({
          name: z.string().min(1),
          statusColor: z.string().min(1),
          description: z.string().optional(),
          iconUrl: z.string().optional(),
        }),
        c.body,
      );
      const { state } = c.site;
      if ([...state.priorities.values()].some((p) => p.name.toLowerCase() === input.name.toLowerCase())) {
        throw JiraError.fieldErrors({ name: `A priority named '${input.name}' already exists.` });
      }
      const id = state.nextId('priority', (x) => state.priorities.has(x));
      state.priorities.set(id, {
        id,
        name: input.name,
        description: input.description ?? '',
        statusColor: input.statusColor,
        iconUrl: input.iconUrl ?? '/images/icons/priorities/medium_new.svg',
      });
      return json(201, { id });
    },
  },
  {
    method: 'GET',
    path: '/status',
    api: 'platform',
    handler: (c) =>
      json(
        200,
        [...c.site.state.statuses.values()].map((s) => statusJson(c.render, s)),
      ),
  },
  {
    method: 'GET',
    path: '/issuetype',
    api: 'platform',
    handler: (c) =>
      json(
        200,
        [...c.site.state.issueTypes.values()].map((t) => issueTypeJson(c.render, t)),
      ),
  },
  {
    method: 'POST',
    path: '/issuetype',
    api: 'platform',
    handler: (c) => {
      requireAdmin(c, 403, 'create issue types');
      const input = parseBody(
        z.looseObject({
          name: z.string().min(1).max(60),
          description: z.string().optional(),
          type: z.enum(['standard', 'subtask']).optional(),
          hierarchyLevel: z.number().int().optional(),
        }),
        c.body,
      );
      const { state } = c.site;
      if ([...state.issueTypes.values()].some((t) => t.name.toLowerCase() === input.name.toLowerCase())) {
        throw new JiraError(409, [`An issue type with the name '${input.name}' already exists.`]);
      }
      const id = state.nextId('issueType', (x) => state.issueTypes.has(x));
      const type = {
        id,
        name: input.name,
        description: input.description ?? '',
        subtask: input.type === 'subtask' || input.hierarchyLevel === -1,
        avatarId: 10318,
      };
      state.issueTypes.set(id, type);
      return json(201, issueTypeJson(c.render, type));
    },
  },
  {
    method: 'GET',
    path: '/issuetype/project',
    api: 'platform',
    handler: (c) => {
      const ref = c.query.get('projectId');
      const project = ref ? c.site.state.findProject(ref) : undefined;
      if (!project || !c.site.state.hasPermission(c.actor, project, 'BROWSE_PROJECTS')) {
        throw JiraError.notFound(`No project could be found with id '${ref ?? ''}'.`);
      }
      return json(
        200,
        project.issueTypeIds.flatMap((id) => {
          const t = c.site.state.issueTypes.get(id);
          return t ? [issueTypeJson(c.render, t)] : [];
        }),
      );
    },
  },
  {
    method: 'GET',
    path: '/issueLinkType',
    api: 'platform',
    handler: (c) =>
      json(200, {
        issueLinkTypes: [...c.site.state.linkTypes.values()].map((t) => linkTypeJson(c.render, t)),
      }),
  },
  {
    method: 'POST',
    path: '/issueLinkType',
    api: 'platform',
    handler: (c) => {
      requireAdmin(c, 400, 'create issue link types');
      const input = parseBody(
        z.looseObject({ name: z.string().min(1), inward: z.string().min(1), outward: z.string().min(1) }),
        c.body,
      );
      const { state } = c.site;
      if ([...state.linkTypes.values()].some((t) => t.name.toLowerCase() === input.name.toLowerCase())) {
        throw JiraError.badRequest(`An issue link type named '${input.name}' already exists.`);
      }
      const type = {
        id: state.nextId('linkType', (x) => state.linkTypes.has(x)),
        name: input.name,
        inward: input.inward,
        outward: input.outward,
      };
      state.linkTypes.set(type.id, type);
      return json(201, linkTypeJson(c.render, type));
    },
  },
];
