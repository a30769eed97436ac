import * as z from 'zod';

/**
 * What started the registrar: the CloudFormation custom resource (through the CDK Provider framework, on
 * deploy) or anything else (the refresh schedule, or an operator's `aws lambda invoke` after filling a
 * secret), which runs the same idempotent registration.
 */
const customResourceEventSchema = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  PhysicalResourceId: z.string().optional(),
  ResourceProperties: z.record(z.string(), z.unknown()).optional(),
});

export type Invocation =
  | {
      readonly kind: 'deploy';
      readonly requestType: 'Create' | 'Update';
      readonly physicalResourceId: string;
    }
  | { readonly kind: 'teardown'; readonly physicalResourceId: string }
  | { readonly kind: 'run' };

/**
 * One physical id for the life of the stack: a different id on update would make CloudFormation "delete"
 * the old resource after the new one registered.
 */
export const PHYSICAL_RESOURCE_ID = 'jira-sync-webhooks';

export function parseInvocation(event: unknown): Invocation {
  const parsed = customResourceEventSchema.safeParse(event);
  if (!parsed.success) return { kind: 'run' };
  const { RequestType, PhysicalResourceId } = parsed.data;
  if (RequestType === 'Delete') {
    return { kind: 'teardown', physicalResourceId: PhysicalResourceId ?? PHYSICAL_RESOURCE_ID };
  }
  return { kind: 'deploy', requestType: RequestType, physicalResourceId: PHYSICAL_RESOURCE_ID };
}
