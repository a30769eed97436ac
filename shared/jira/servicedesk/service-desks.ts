import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { collect, servicedeskPages } from '../paging.ts';
import { jiraPath } from '../request.ts';

export const serviceDeskSchema = z.looseObject({
  id: z.string(),
  projectId: z.string(),
  projectKey: z.string(),
  projectName: z.string().optional(),
});
export type ServiceDesk = z.infer<typeof serviceDeskSchema>;

export function listServiceDesks(client: JiraClient): Promise<ServiceDesk[]> {
  return collect(
    servicedeskPages(
      client,
      { operation: 'getServiceDesks', method: 'GET', path: '/rest/servicedeskapi/servicedesk' },
      serviceDeskSchema,
    ),
  );
}

export function getServiceDesk(client: JiraClient, serviceDeskId: string): Promise<ServiceDesk> {
  return client.send({
    operation: 'getServiceDeskById',
    method: 'GET',
    path: jiraPath`/rest/servicedeskapi/servicedesk/${serviceDeskId}`,
    expect: serviceDeskSchema,
  });
}

export const requestTypeSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  issueTypeId: z.string().optional(),
  serviceDeskId: z.string().optional(),
});
export type RequestType = z.infer<typeof requestTypeSchema>;

export function listRequestTypes(client: JiraClient, serviceDeskId: string): Promise<RequestType[]> {
  return collect(
    servicedeskPages(
      client,
      {
        operation: 'getRequestTypes',
        method: 'GET',
        path: jiraPath`/rest/servicedeskapi/servicedesk/${serviceDeskId}/requesttype`,
      },
      requestTypeSchema,
    ),
  );
}

const requestTypeFieldSchema = z.looseObject({
  fieldId: z.string(),
  name: z.string().optional(),
  required: z.boolean().optional(),
  visible: z.boolean().optional(),
  validValues: z.array(z.looseObject({ value: z.string(), label: z.string().optional() })).optional(),
  jiraSchema: z.looseObject({ type: z.string().optional(), custom: z.string().optional() }).optional(),
});

const requestTypeFieldsSchema = z.looseObject({
  requestTypeFields: z.array(requestTypeFieldSchema).default([]),
  canRaiseOnBehalfOf: z.boolean().optional(),
  canAddRequestParticipants: z.boolean().optional(),
});
export type RequestTypeFields = z.infer<typeof requestTypeFieldsSchema>;

/** The portal fields of a request type, and whether the account may raise on behalf of others. */
export function getRequestTypeFields(
  client: JiraClient,
  serviceDeskId: string,
  requestTypeId: string,
): Promise<RequestTypeFields> {
  return client.send({
    operation: 'getRequestTypeFields',
    method: 'GET',
    path: jiraPath`/rest/servicedeskapi/servicedesk/${serviceDeskId}/requesttype/${requestTypeId}/field`,
    expect: requestTypeFieldsSchema,
  });
}
