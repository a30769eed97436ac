import { CUSTOM_FIELD_TYPES } from './catalog.ts';
import { dateDto } from './dates.ts';
import type { RenderContext } from './render.ts';
import type {
  Attachment,
  Comment,
  CustomField,
  Issue,
  Project,
  RequestType,
  ServiceDesk,
  User,
} from './types.ts';

/** Service Management representations (`UserDTO`, `CustomerRequestDTO`, …). */

type Json = Record<string, unknown>;
const sd = (ctx: RenderContext, path: string) => `${ctx.base}/rest/servicedeskapi/${path}`;

export function userDto(ctx: RenderContext, user: User): Json {
  const cloud = ctx.state.flavour === 'cloud';
  const self = cloud
    ? `${ctx.base}/rest/api/2/user?accountId=${encodeURIComponent(user.accountId ?? '')}`
    : `${ctx.base}/rest/api/2/user?username=${encodeURIComponent(user.name ?? '')}`;
  return {
    ...(cloud ? { accountId: user.accountId } : { name: user.name, key: user.key }),
    ...(user.emailVisible ? { emailAddress: user.email } : {}),
    displayName: user.displayName,
    active: user.active,
    timeZone: user.timeZone,
    _links: { jiraRest: self, avatarUrls: {}, self },
  };
}

export function userDtoByHandle(ctx: RenderContext, handle: string | null): Json | undefined {
  const user = handle === null ? undefined : ctx.state.users.get(handle);
  return user ? userDto(ctx, user) : undefined;
}

export function paged(
  ctx: RenderContext,
  path: string,
  values: readonly unknown[],
  start: number,
  limit: number,
  total = values.length,
): Json {
  const last = start + values.length >= total;
  return {
    _expands: [],
    size: values.length,
    start,
    limit,
    isLastPage: last,
    _links: {
      base: ctx.base,
      context: '',
      self: `${sd(ctx, path)}?start=${start}&limit=${limit}`,
      ...(last ? {} : { next: `${sd(ctx, path)}?start=${start + limit}&limit=${limit}` }),
      ...(start > 0 ? { prev: `${sd(ctx, path)}?start=${Math.max(0, start - limit)}&limit=${limit}` } : {}),
    },
    values,
  };
}

export function serviceDeskDto(ctx: RenderContext, project: Project, desk: ServiceDesk): Json {
  return {
    id: desk.id,
    projectId: project.id,
    projectName: project.name,
    projectKey: project.key,
    _links: { self: sd(ctx, `servicedesk/${desk.id}`) },
  };
}

export function requestTypeDto(ctx: RenderContext, desk: ServiceDesk, rt: RequestType): Json {
  return {
    id: rt.id,
    _links: { self: sd(ctx, `servicedesk/${desk.id}/requesttype/${rt.id}`) },
    name: rt.name,
    description: rt.description,
    helpText: rt.helpText,
    issueTypeId: rt.issueTypeId,
    serviceDeskId: desk.id,
    portalId: desk.id,
    groupIds: ['1'],
    icon: {
      id: '10547',
      _links: {
        iconUrls: {
          '48x48': `${ctx.base}/rest/api/2/universal_avatar/view/type/SD_REQTYPE/avatar/10547?size=large`,
        },
      },
    },
  };
}

function fieldSchema(field: CustomField | undefined, fieldId: string): Json {
  if (!field) return { type: 'string', system: fieldId };
  const t = CUSTOM_FIELD_TYPES[field.type];
  return { type: t.schemaType, custom: t.custom, customId: field.numericId };
}

export function requestTypeFieldsDto(ctx: RenderContext, rt: RequestType, agent: boolean): Json {
  return {
    canRaiseOnBehalfOf: agent,
    canAddRequestParticipants: true,
    requestTypeFields: rt.fields.map((f) => {
      const custom = ctx.state.customFields.get(f.fieldId);
      return {
        fieldId: f.fieldId,
        name: f.name,
        description: '',
        required: f.required,
        defaultValues: [],
        validValues:
          custom?.type === 'select'
            ? custom.options.map((o) => ({ value: o.id, label: o.value, children: [] }))
            : [],
        jiraSchema: fieldSchema(custom, f.fieldId),
        visible: true,
      };
    }),
  };
}

export function commentDto(ctx: RenderContext, comment: Comment): Json {
  const author = userDtoByHandle(ctx, comment.author);
  return {
    id: comment.id,
    body: comment.body,
    public: !comment.internal,
    ...(author ? { author } : {}),
    created: dateDto(comment.created),
    _links: { self: sd(ctx, `request/${comment.issueId}/comment/${comment.id}`) },
  };
}

export function attachmentDto(ctx: RenderContext, a: Attachment): Json {
  const author = userDtoByHandle(ctx, a.author);
  return {
    filename: a.filename,
    ...(author ? { author } : {}),
    created: dateDto(a.created),
    size: a.content.length,
    mimeType: a.mimeType,
    _links: {
      self: `${ctx.base}/rest/api/2/attachment/${a.id}`,
      jiraRest: `${ctx.base}/rest/api/2/attachment/${a.id}`,
      content: `${ctx.base}/secure/attachment/${a.id}/${encodeURIComponent(a.filename)}`,
    },
  };
}

function statusDto(ctx: RenderContext, statusId: string, at: number): Json {
  const status = ctx.state.statuses.get(statusId);
  return {
    status: status?.name ?? '',
    statusCategory: (status?.category ?? 'new').toUpperCase(),
    statusDate: dateDto(at),
  };
}

/** The status history of a request, oldest first. */
export function statusHistory(ctx: RenderContext, issue: Issue): Json[] {
  const workflow = ctx.state.workflowOf(ctx.state.projectOf(issue));
  const changes = issue.history.flatMap((h) =>
    h.items.filter((i) => i.field === 'status').map((i) => ({ to: i.to ?? '', at: h.created })),
  );
  const first = changes.length > 0 ? workflow.initialStatus : issue.statusId;
  return [statusDto(ctx, first, issue.created), ...changes.map((c) => statusDto(ctx, c.to, c.at))];
}

export function customerRequestDto(ctx: RenderContext, issue: Issue, expand: ReadonlySet<string>): Json {
  const { state } = ctx;
  const project = state.projectOf(issue);
  const desk = project.serviceDesk;
  const rt = state.requestType(issue);
  const fieldValues: Json[] = [{ fieldId: 'summary', label: 'Summary', value: issue.summary }];
  if (issue.description !== null) {
    fieldValues.push({
      fieldId: 'description',
      label: 'Description',
      value: issue.description,
      renderedValue: { html: `<p>${issue.description}</p>` },
    });
  }
  for (const f of rt?.fields ?? []) {
    const custom = state.customFields.get(f.fieldId);
    const value = issue.custom.get(f.fieldId);
    if (custom && value !== undefined) {
      const option = custom.type === 'select' ? custom.options.find((o) => o.id === value) : undefined;
      fieldValues.push({
        fieldId: f.fieldId,
        label: f.name,
        value: option ? { id: option.id, value: option.value } : value,
      });
    }
  }
  const reporter = userDtoByHandle(ctx, issue.reporter);
  const out: Json = {
    _expands: [
      'participant',
      'status',
      'sla',
      'requestType',
      'serviceDesk',
      'attachment',
      'action',
      'comment',
    ],
    issueId: issue.id,
    issueKey: issue.key,
    ...(rt ? { requestTypeId: rt.id } : {}),
    ...(desk ? { serviceDeskId: desk.id } : {}),
    createdDate: dateDto(issue.created),
    ...(reporter ? { reporter } : {}),
    requestFieldValues: fieldValues,
    currentStatus: statusDto(ctx, issue.statusId, issue.statusCategoryChanged),
    _links: {
      jiraRest: `${ctx.base}/rest/api/2/issue/${issue.id}`,
      web: `${ctx.base}/servicedesk/customer/portal/${desk?.id ?? ''}/${issue.key}`,
      agent: `${ctx.base}/browse/${issue.key}`,
      self: sd(ctx, `request/${issue.id}`),
    },
  };
  if (expand.has('requestType') && rt && desk) out.requestType = requestTypeDto(ctx, desk, rt);
  if (expand.has('serviceDesk') && desk) out.serviceDesk = serviceDeskDto(ctx, project, desk);
  if (expand.has('participant')) {
    const users = issue.participants.flatMap((h) => userDtoByHandle(ctx, h) ?? []);
    out.participants = paged(ctx, `request/${issue.id}/participant`, users, 0, 50);
  }
  if (expand.has('status')) {
    const history = statusHistory(ctx, issue);
    out.status = paged(ctx, `request/${issue.id}/status`, history, 0, 50);
  }
  return out;
}
