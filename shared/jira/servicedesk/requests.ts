import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { PERMISSIONS } from '../permissions.ts';

export interface CreateRequestInput {
  readonly serviceDeskId: string;
  readonly requestTypeId: string;
  /** Portal field id → value, e.g. `{summary: '…', description: '…'}`. */
  readonly requestFieldValues: Readonly<Record<string, unknown>>;
  /** The customer the request is for (accountId on Cloud, username on Data Center). */
  readonly raiseOnBehalfOf?: string;
  readonly requestParticipants?: readonly string[];
}

const createdRequestSchema = z.looseObject({
  issueId: z.string(),
  issueKey: z.string(),
  requestTypeId: z.string().optional(),
  serviceDeskId: z.string().optional(),
});
export type CreatedRequest = z.infer<typeof createdRequestSchema>;

/** Creates a customer request (the portal path): JSM applies the request type's SLA and notifications. */
export function createRequest(client: JiraClient, input: CreateRequestInput): Promise<CreatedRequest> {
  return client.send({
    operation: 'createCustomerRequest',
    method: 'POST',
    path: '/rest/servicedeskapi/request',
    json: {
      serviceDeskId: input.serviceDeskId,
      requestTypeId: input.requestTypeId,
      requestFieldValues: input.requestFieldValues,
      ...(input.raiseOnBehalfOf === undefined ? {} : { raiseOnBehalfOf: input.raiseOnBehalfOf }),
      ...(input.requestParticipants === undefined ? {} : { requestParticipants: input.requestParticipants }),
    },
    permissions: [PERMISSIONS.browse, PERMISSIONS.create],
    expect: createdRequestSchema,
  });
}
