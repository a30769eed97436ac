import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import { intParam, listParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import {
  CUSTOM_FIELD_TYPES,
  issueTypes,
  SERVICE_DESK_WORKFLOW,
  SOFTWARE_WORKFLOW,
} from '../model/catalog.ts';
import { fullPriorityJson, issueTypeJson, projectJson, statusJson } from '../model/render.ts';
import { PROJECT_PERMISSIONS, type Project } from '../model/types.ts';

/** Projects, their statuses per issue type, and create metadata (which fields a create accepts). */

function visibleProject(c: RouteContext, ref: string): Project {
  const project = c.site.state.findProject(ref);
  if (!project || !c.site.state.hasPermission(c.actor, project, 'BROWSE_PROJECTS')) {
    throw JiraError.notFound(`No project could be found with key '${ref}'.`);
  }
  return project;
}

function visibleProjects(c: RouteContext): Project[] {
  return [...c.site.state.projects.values()].filter(
    (p) => !p.deleted && c.site.state.hasPermission(c.actor, p, 'BROWSE_PROJECTS'),
  );
}

function createMetaFields(c: RouteContext, issueTypeId: string): Record<string, unknown>[] {
  const { state } = c.site;
  const type = state.issueTypes.get(issueTypeId);
  const field = (
    fieldId: string,
    name: string,
    required: boolean,
    schema: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => ({
    fieldId,
    key: fieldId,
    name,
    required,
    schema,
    operations: fieldId === 'labels' ? ['add', 'set', 'remove'] : ['set'],
    hasDefaultValue: fieldId === 'priority',
    ...extra,
  });
  const fields = [
    field('summary', 'Summary', true, { type: 'string', system: 'summary' }),
    field(
      'issuetype',
      'Issue Type',
      true,
      { type: 'issuetype', system: 'issuetype' },
      { allowedValues: type ? [issueTypeJson(c.render, type)] : [] },
    ),
    field('project', 'Project', true, { type: 'project', system: 'project' }),
    field('description', 'Description', false, { type: 'string', system: 'description' }),
    field(
      'priority',
      'Priority',
      false,
      { type: 'priority', system: 'priority' },
      { allowedValues: [...state.priorities.values()].map((p) => fullPriorityJson(c.render, p)) },
    ),
    field('assignee', 'Assignee', false, { type: 'user', system: 'assignee' }),
    field('reporter', 'Reporter', true, { type: 'user', system: 'reporter' }),
    field('labels', 'Labels', false, { type: 'array', items: 'string', system: 'labels' }),
    field('duedate', 'Due date', false, { type: 'date', system: 'duedate' }),
  ];
  for (const f of state.customFields.values()) {
    const t = CUSTOM_FIELD_TYPES[f.type];
    fields.push(
      field(
        f.id,
        f.name,
        false,
        { type: t.schemaType, custom: t.custom, customId: f.numericId },
        f.type === 'select'
          ? {
              allowedValues: f.options.map((o) => ({
                self: `${c.render.base}/rest/api/2/customFieldOption/${o.id}`,
                value: o.value,
                id: o.id,
              })),
            }
          : {},
      ),
    );
  }
  return fields;
}

const createProjectSchema = z.looseObject({
  key: z
    .string()
    .regex(
      /^[A-Z][A-Z0-9_]{1,9}$/,
      'Project keys must start with an uppercase letter, followed by uppercase letters or digits.',
    ),
  name: z.string().min(1).max(80),
  projectTypeKey: z.enum(['software', 'service_desk', 'business']).default('software'),
  description: z.string().optional(),
  leadAccountId: z.string().optional(),
  lead: z.string().optional(),
});

const updateProjectSchema = z.looseObject({
  name: z.string().min(1).max(80).optional(),
  description: z.string().optional(),
  leadAccountId: z.string().optional(),
  lead: z.string().optional(),
});

export const projectRoutes: Route[] = [
  {
    method: 'GET',
    path: '/project',
    api: 'platform',
    handler: (c) =>
      json(
        200,
        visibleProjects(c).map((p) => projectJson(c.render, p)),
      ),
  },
  {
    method: 'POST',
    path: '/project',
    api: 'platform',
    handler: (c) => {
      if (!c.actor.admin) throw JiraError.forbidden('Only Jira administrators can create projects.');
      const input = parseBody(createProjectSchema, c.body);
      const { state } = c.site;
      if (state.findProject(input.key))
        throw JiraError.fieldErrors({ projectKey: `Project '${input.key}' uses this project key.` });
      const leadRef = input.leadAccountId ?? input.lead;
      const lead = leadRef
        ? (state.findUser({ accountId: leadRef }) ?? state.findUser({ name: leadRef }))
        : c.actor;
      if (!lead) throw JiraError.fieldErrors({ projectLead: 'The project lead does not exist.' });
      const serviceDesk = input.projectTypeKey === 'service_desk';
      const types = issueTypes(state.flavour);
      const id = state.nextId('project', (x) => state.projects.has(x));
      const everything = new Set(PROJECT_PERMISSIONS);
      const project: Project = {
        id,
        key: input.key,
        name: input.name,
        description: input.description ?? '',
        type: input.projectTypeKey,
        lead: lead.handle,
        issueTypeIds: (serviceDesk ? types.serviceDesk : types.software).map((t) => t.id),
        workflowId: serviceDesk ? SERVICE_DESK_WORKFLOW : SOFTWARE_WORKFLOW,
        permissions: new Map([
          [c.actor.handle, new Set(everything)],
          [lead.handle, new Set(everything)],
        ]),
        nextNumber: 1,
        deleted: false,
      };
      if (serviceDesk) {
        project.serviceDesk = {
          id: state.nextId('requestType', (x) =>
            [...state.projects.values()].some((p) => p.serviceDesk?.id === x),
          ),
          projectId: id,
          customers: new Set(),
          requestTypes: [
            {
              id: state.nextId('requestType'),
              name: 'Get IT help',
              description: 'Get assistance for general IT problems and questions.',
              helpText: '',
              issueTypeId: types.serviceDesk[0]?.id ?? '',
              fields: [
                { fieldId: 'summary', name: 'Summary', required: true },
                { fieldId: 'description', name: 'Description', required: false },
              ],
            },
          ],
        };
      }
      state.projects.set(id, project);
      return json(201, {
        id: Number(id),
        key: project.key,
        self: `${c.render.base}/rest/api/2/project/${id}`,
      });
    },
  },
  {
    method: 'GET',
    path: '/project/search',
    api: 'platform',
    handler: (c) => {
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 50, 100);
      const keys = listParam(c.query, 'keys').map((k) => k.toUpperCase());
      const ids = listParam(c.query, 'id');
      const query = c.query.get('query')?.toLowerCase();
      const typeKeys = listParam(c.query, 'typeKey');
      const all = visibleProjects(c).filter(
        (p) =>
          (keys.length === 0 || keys.includes(p.key)) &&
          (ids.length === 0 || ids.includes(p.id)) &&
          (typeKeys.length === 0 || typeKeys.includes(p.type)) &&
          (!query || p.key.toLowerCase().includes(query) || p.name.toLowerCase().includes(query)),
      );
      const page = all.slice(startAt, startAt + maxResults);
      return json(200, {
        self: `${c.render.base}/rest/api/2/project/search?startAt=${startAt}&maxResults=${maxResults}`,
        maxResults,
        startAt,
        total: all.length,
        isLast: startAt + page.length >= all.length,
        values: page.map((p) => projectJson(c.render, p)),
      });
    },
  },
  {
    method: 'GET',
    path: '/project/{projectIdOrKey}',
    api: 'platform',
    handler: (c) => json(200, projectJson(c.render, visibleProject(c, c.params.projectIdOrKey ?? ''))),
  },
  {
    method: 'PUT',
    path: '/project/{projectIdOrKey}',
    api: 'platform',
    handler: (c) => {
      const project = visibleProject(c, c.params.projectIdOrKey ?? '');
      if (!c.actor.admin && !c.site.state.hasPermission(c.actor, project, 'ADMINISTER_PROJECTS')) {
        throw JiraError.forbidden(
          `You do not have permission to administer project ${project.key} (ADMINISTER_PROJECTS).`,
        );
      }
      const input = parseBody(updateProjectSchema, c.body);
      if (input.name !== undefined) project.name = input.name;
      if (input.description !== undefined) project.description = input.description;
      const leadRef = input.leadAccountId ?? input.lead;
      if (leadRef !== undefined) {
        const lead =
          c.site.state.findUser({ accountId: leadRef }) ?? c.site.state.findUser({ name: leadRef });
        if (!lead) throw JiraError.fieldErrors({ projectLead: 'The project lead does not exist.' });
        project.lead = lead.handle;
      }
      return json(200, projectJson(c.render, project));
    },
  },
  {
    method: 'DELETE',
    path: '/project/{projectIdOrKey}',
    api: 'platform',
    handler: (c) => {
      const project = c.site.state.findProject(c.params.projectIdOrKey ?? '');
      if (!project || !c.actor.admin)
        throw JiraError.notFound(`No project could be found with key '${c.params.projectIdOrKey ?? ''}'.`);
      project.deleted = true;
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/project/{projectIdOrKey}/statuses',
    api: 'platform',
    handler: (c) => {
      const project = visibleProject(c, c.params.projectIdOrKey ?? '');
      const { state } = c.site;
      const workflow = state.workflowOf(project);
      const statusIds = [
        ...new Set([workflow.initialStatus, ...workflow.transitions.flatMap((t) => [...t.from, t.to])]),
      ];
      const statuses = statusIds.flatMap((id) => {
        const s = state.statuses.get(id);
        return s ? [statusJson(c.render, s)] : [];
      });
      return json(
        200,
        project.issueTypeIds.flatMap((id) => {
          const t = state.issueTypes.get(id);
          return t
            ? [
                {
                  self: `${c.render.base}/rest/api/2/issuetype/${t.id}`,
                  id: t.id,
                  name: t.name,
                  subtask: t.subtask,
                  statuses,
                },
              ]
            : [];
        }),
      );
    },
  },
  {
    method: 'GET',
    path: '/issue/createmeta/{projectIdOrKey}/issuetypes',
    api: 'platform',
    handler: (c) => {
      const project = visibleProject(c, c.params.projectIdOrKey ?? '');
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 50, 200);
      const all = project.issueTypeIds.flatMap((id) => {
        const t = c.site.state.issueTypes.get(id);
        return t ? [issueTypeJson(c.render, t)] : [];
      });
      const page = all.slice(startAt, startAt + maxResults);
      // Cloud names the list `issueTypes`; Data Center pages it as `values`.
      return json(
        200,
        c.site.flavour === 'cloud'
          ? { maxResults, startAt, total: all.length, issueTypes: page }
          : {
              maxResults,
              startAt,
              total: all.length,
              isLast: startAt + page.length >= all.length,
              values: page,
            },
      );
    },
  },
  {
    method: 'GET',
    path: '/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}',
    api: 'platform',
    handler: (c) => {
      const project = visibleProject(c, c.params.projectIdOrKey ?? '');
      const typeId = c.params.issueTypeId ?? '';
      if (!project.issueTypeIds.includes(typeId))
        throw JiraError.badRequest(`Issue type ${typeId} is not valid for project ${project.key}.`);
      const startAt = intParam(c.query, 'startAt', 0);
      const maxResults = intParam(c.query, 'maxResults', 50, 200);
      const all = createMetaFields(c, typeId);
      const page = all.slice(startAt, startAt + maxResults);
      return json(
        200,
        c.site.flavour === 'cloud'
          ? { maxResults, startAt, total: all.length, fields: page }
          : {
              maxResults,
              startAt,
              total: all.length,
              isLast: startAt + page.length >= all.length,
              values: page,
            },
      );
    },
  },
];
