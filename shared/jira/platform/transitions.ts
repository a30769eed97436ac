import * as z from 'zod';
import type { JiraClient } from '../client.ts';
import { PERMISSIONS } from '../permissions.ts';
import { jiraPath } from '../request.ts';
import type { EntityProperty } from '../schemas.ts';

const statusSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  statusCategory: z.looseObject({ key: z.string().optional(), name: z.string().optional() }).optional(),
});

export const transitionSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  to: statusSchema,
  hasScreen: z.boolean().optional(),
  isAvailable: z.boolean().optional(),
  /** Screen fields, with `expandFields`. */
  fields: z
    .record(z.string(), z.looseObject({ required: z.boolean().optional(), name: z.string().optional() }))
    .optional(),
});
export type JiraTransition = z.infer<typeof transitionSchema>;

const transitionsSchema = z.looseObject({ transitions: z.array(transitionSchema).default([]) });

/** Transitions the account may take now; `expandFields` adds each transition screen's fields. */
export async function getTransitions(
  client: JiraClient,
  issueIdOrKey: string,
  options: { readonly expandFields?: boolean } = {},
): Promise<JiraTransition[]> {
  const answer = await client.send({
    operation: 'getTransitions',
    method: 'GET',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/transitions`,
    query: { expand: options.expandFields ? 'transitions.fields' : undefined },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse],
    expect: transitionsSchema,
  });
  return answer.transitions;
}

export interface TransitionInput {
  readonly transitionId: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly update?: Readonly<Record<string, readonly unknown[]>>;
  readonly properties?: readonly EntityProperty[];
}

export async function doTransition(
  client: JiraClient,
  issueIdOrKey: string,
  input: TransitionInput,
): Promise<void> {
  await client.send({
    operation: 'doTransition',
    method: 'POST',
    path: jiraPath`/rest/api/2/issue/${issueIdOrKey}/transitions`,
    json: {
      transition: { id: input.transitionId },
      fields: input.fields,
      update: input.update,
      properties: input.properties,
    },
    issue: issueIdOrKey,
    permissions: [PERMISSIONS.browse, PERMISSIONS.transition],
    expect: 'nothing',
  });
}
