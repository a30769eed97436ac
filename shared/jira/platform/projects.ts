import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { collect, platformPages } from '../paging.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import { platformPaging } from '../schemas.ts';

export const issueTypeSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  subtask: z.boolean().optional(),
  hierarchyLevel: z.number().optional(),
});
export type IssueType = z.infer<typeof issueTypeSchema>;

export const projectSchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  projectTypeKey: z.string().optional(),
  issueTypes: z.array(issueTypeSchema).optional(),
});
export type JiraProject = z.infer<typeof projectSchema>;

export function getProject(client: JiraClient, projectIdOrKey: string): Promise<JiraProject> {
  return client.send({
    operation: 'getProject',
    method: 'GET',
    path: jiraPath`/rest/api/2/project/${projectIdOrKey}`,
    project: projectIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: projectSchema,
  });
}

const projectPageSchema = z.looseObject({ ...platformPaging, values: z.array(projectSchema).default([]) });

/** Projects the account can see: Cloud pages `/project/search`; Data Center lists `/project` at once. */
export async function listProjects(client: JiraClient): Promise<JiraProject[]> {
  if (client.flavor === 'datacenter') {
    return client.send({
      operation: 'getAllProjects',
      method: 'GET',
      path: '/rest/api/2/project',
      expect: z.array(projectSchema),
    });
  }
  return collect(
    platformPages(async (startAt) => {
      const page = await client.send({
        operation: 'searchProjects',
        method: 'GET',
        path: '/rest/api/2/project/search',
        query: { startAt, maxResults: 50 },
        expect: projectPageSchema,
      });
      return { ...page, items: page.values };
    }),
  );
}

export function getIssueTypes(client: JiraClient): Promise<IssueType[]> {
  return client.send({
    operation: 'getIssueAllTypes',
    method: 'GET',
    path: '/rest/api/2/issuetype',
    expect: z.array(issueTypeSchema),
  });
}

// Cloud names the list `issueTypes` / `fields`; Data Center (8.4+) `values`.
const createMetaTypesSchema = z.looseObject({
  ...platformPaging,
  issueTypes: z.array(issueTypeSchema).optional(),
  values: z.array(issueTypeSchema).optional(),
});

/** Issue types the account may create in a project. */
export function getCreateMetaIssueTypes(client: JiraClient, projectIdOrKey: string): Promise<IssueType[]> {
  return collect(
    platformPages(async (startAt) => {
      const page = await client.send({
        operation: 'getCreateIssueMetaIssueTypes',
        method: 'GET',
        path: jiraPath`/rest/api/2/issue/createmeta/${projectIdOrKey}/issuetypes`,
        query: { startAt, maxResults: 50 },
        project: projectIdOrKey,
        permissions: [PERMISSIONS.browse, PERMISSIONS.create],
        expect: createMetaTypesSchema,
      });
      return { ...page, items: page.issueTypes ?? page.values ?? [] };
    }),
  );
}

export const createMetaFieldSchema = z.looseObject({
  fieldId: z.string(),
  name: z.string(),
  required: z.boolean(),
  schema: z.looseObject({ type: z.string().optional(), custom: z.string().optional() }).optional(),
  allowedValues: z.array(z.unknown()).optional(),
});
export type CreateMetaField = z.infer<typeof createMetaFieldSchema>;

const createMetaFieldsSchema = z.looseObject({
  ...platformPaging,
  fields: z.array(createMetaFieldSchema).optional(),
  values: z.array(createMetaFieldSchema).optional(),
});

/** Fields (with required flags and allowed values) of the create screen of one issue type in a project. */
export function getCreateMetaFields(
  client: JiraClient,
  projectIdOrKey: string,
  issueTypeId: string,
): Promise<CreateMetaField[]> {
  return collect(
    platformPages(async (startAt) => {
      const page = await client.send({
        operation: 'getCreateIssueMetaIssueTypeId',
        method: 'GET',
        path: jiraPath`/rest/api/2/issue/createmeta/${projectIdOrKey}/issuetypes/${issueTypeId}`,
        query: { startAt, maxResults: 50 },
        project: projectIdOrKey,
        permissions: [PERMISSIONS.browse, PERMISSIONS.create],
        expect: createMetaFieldsSchema,
      });
      return { ...page, items: page.fields ?? page.values ?? [] };
    }),
  );
}

export const fieldSchema = z.looseObject({
  id: z.string(),
  key: z.string().optional(),
  name: z.string(),
  custom: z.boolean().optional(),
  schema: z.looseObject({ type: z.string().optional(), custom: z.string().optional() }).optional(),
});
export type JiraField = z.infer<typeof fieldSchema>;

/** Every system and custom field: how the config's field names become `customfield_NNNNN` ids. */
export function getFields(client: JiraClient): Promise<JiraField[]> {
  return client.send({
    operation: 'getFields',
    method: 'GET',
    path: '/rest/api/2/field',
    expect: z.array(fieldSchema),
  });
}

/** The ids of the fields with this display name (case-insensitive); custom fields may share a name. */
export function fieldIdsByName(fields: readonly JiraField[], name: string): string[] {
  const wanted = name.trim().toLowerCase();
  return fields.filter((f) => f.name.trim().toLowerCase() === wanted).map((f) => f.id);
}

const issueTypeStatusesSchema = z.array(
  z.looseObject({
    id: z.string(),
    name: z.string(),
    statuses: z.array(z.looseObject({ id: z.string(), name: z.string() })).default([]),
  }),
);
export type IssueTypeStatuses = z.infer<typeof issueTypeStatusesSchema>;

/** Each issue type of a project with the statuses its workflow has (what a status map may name). */
export function getProjectStatuses(client: JiraClient, projectIdOrKey: string): Promise<IssueTypeStatuses> {
  return client.send({
    operation: 'getAllStatuses',
    method: 'GET',
    path: jiraPath`/rest/api/2/project/${projectIdOrKey}/statuses`,
    project: projectIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: issueTypeStatusesSchema,
  });
}
