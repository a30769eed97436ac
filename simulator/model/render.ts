import { CUSTOM_FIELD_TYPES, STATUS_CATEGORIES, serviceFieldIds } from './catalog.ts';
import { dateDto, jiraDateTime } from './dates.ts';
import type { SiteState } from './state.ts';
import type {
  Attachment,
  ChangeItem,
  Comment,
  CustomField,
  History,
  Issue,
  IssueLink,
  IssueLinkType,
  IssueType,
  Priority,
  Project,
  Status,
  User,
  Worklog,
} from './types.ts';

/**
 * REST v2 representations (wiki-markup strings, `/rest/api/2` self links) as Jira renders them, shared by
 * the REST responses and the webhook payloads. `base` is the link base of the caller: the site URL, or the
 * OAuth gateway's `/ex/jira/{cloudId}` URL for 3LO calls (Jira renders links for the URL it was called on).
 */
export interface RenderContext {
  readonly state: SiteState;
  readonly base: string;
}

type Json = Record<string, unknown>;

const api = (ctx: RenderContext, path: string) => `${ctx.base}/rest/api/2/${path}`;

function avatarUrls(seed: string): Json {
  const hash = Buffer.from(seed).toString('hex').padEnd(32, '0').slice(0, 32);
  const url = (size: number) => `https://secure.gravatar.com/avatar/${hash}?d=mm&s=${size}`;
  return { '48x48': url(48), '24x24': url(24), '16x16': url(16), '32x32': url(32) };
}

/** A user as embedded in issues, comments and changelogs (`UserDetails`). */
export function userJson(ctx: RenderContext, user: User): Json {
  const cloud = ctx.state.flavour === 'cloud';
  const out: Json = cloud
    ? {
        self: api(ctx, `user?accountId=${encodeURIComponent(user.accountId ?? '')}`),
        accountId: user.accountId,
      }
    : {
        self: api(ctx, `user?username=${encodeURIComponent(user.name ?? '')}`),
        name: user.name,
        key: user.key,
      };
  if (user.emailVisible) out.emailAddress = user.email;
  out.avatarUrls = avatarUrls(user.email);
  out.displayName = user.displayName;
  out.active = user.active;
  out.timeZone = user.timeZone;
  if (cloud) out.accountType = user.accountType;
  return out;
}

/** `GET /myself` and `GET /user`: the full `User`. */
export function fullUserJson(ctx: RenderContext, user: User): Json {
  return {
    ...userJson(ctx, user),
    locale: 'en_US',
    groups: { size: user.admin ? 2 : 1, items: [] },
    applicationRoles: { size: 1, items: [] },
    expand: 'groups,applicationRoles',
  };
}

export function userByHandle(ctx: RenderContext, handle: string | null): Json | null {
  if (handle === null) return null;
  const user = ctx.state.users.get(handle);
  return user ? userJson(ctx, user) : null;
}

export function statusCategoryJson(ctx: RenderContext, key: Status['category']): Json {
  const c = STATUS_CATEGORIES[key];
  return {
    self: api(ctx, `statuscategory/${c.id}`),
    id: c.id,
    key: c.key,
    colorName: c.colorName,
    name: c.name,
  };
}

export function statusJson(ctx: RenderContext, status: Status): Json {
  return {
    self: api(ctx, `status/${status.id}`),
    description: '',
    iconUrl: `${ctx.base}/`,
    name: status.name,
    id: status.id,
    statusCategory: statusCategoryJson(ctx, status.category),
  };
}

export function issueTypeJson(ctx: RenderContext, type: IssueType): Json {
  const out: Json = {
    self: api(ctx, `issuetype/${type.id}`),
    id: type.id,
    description: type.description,
    iconUrl: `${ctx.base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${type.avatarId}?size=medium`,
    name: type.name,
    subtask: type.subtask,
    avatarId: type.avatarId,
  };
  if (ctx.state.flavour === 'cloud') out.hierarchyLevel = type.subtask ? -1 : 0;
  return out;
}

export function priorityJson(ctx: RenderContext, priority: Priority): Json {
  return {
    self: api(ctx, `priority/${priority.id}`),
    iconUrl: `${ctx.base}${priority.iconUrl}`,
    name: priority.name,
    id: priority.id,
  };
}

export function fullPriorityJson(ctx: RenderContext, priority: Priority): Json {
  return {
    ...priorityJson(ctx, priority),
    description: priority.description,
    statusColor: priority.statusColor,
    isDefault: priority.id === ctx.state.defaultPriority,
  };
}

export function projectRefJson(ctx: RenderContext, project: Project): Json {
  const out: Json = {
    self: api(ctx, `project/${project.id}`),
    id: project.id,
    key: project.key,
    name: project.name,
    projectTypeKey: project.type,
  };
  if (ctx.state.flavour === 'cloud') out.simplified = false;
  out.avatarUrls = {
    '48x48': `${ctx.base}/rest/api/2/universal_avatar/view/type/project/avatar/10404`,
    '24x24': `${ctx.base}/rest/api/2/universal_avatar/view/type/project/avatar/10404?size=small`,
    '16x16': `${ctx.base}/rest/api/2/universal_avatar/view/type/project/avatar/10404?size=xsmall`,
    '32x32': `${ctx.base}/rest/api/2/universal_avatar/view/type/project/avatar/10404?size=medium`,
  };
  return out;
}

/** `GET /project/{key}` and the project list entries (`Project`). */
export function projectJson(ctx: RenderContext, project: Project): Json {
  const lead = ctx.state.users.get(project.lead);
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    ...projectRefJson(ctx, project),
    description: project.description,
    ...(lead ? { lead: userJson(ctx, lead) } : {}),
    issueTypes: project.issueTypeIds.flatMap((id) => {
      const t = ctx.state.issueTypes.get(id);
      return t ? [issueTypeJson(ctx, t)] : [];
    }),
    assigneeType: 'UNASSIGNED',
    isPrivate: false,
    style: 'classic',
  };
}

export function resolutionJson(ctx: RenderContext, id: string | null): Json | null {
  if (id === null) return null;
  const r = ctx.state.resolutions.get(id);
  return r ? { self: api(ctx, `resolution/${r.id}`), id: r.id, description: '', name: r.name } : null;
}

export function commentJson(
  ctx: RenderContext,
  comment: Comment,
  options: { properties?: boolean } = {},
): Json {
  const out: Json = {
    self: api(ctx, `issue/${comment.issueId}/comment/${comment.id}`),
    id: comment.id,
    author: userByHandle(ctx, comment.author),
    body: comment.body,
    updateAuthor: userByHandle(ctx, comment.updateAuthor),
    created: jiraDateTime(comment.created),
    updated: jiraDateTime(comment.updated),
  };
  if (comment.visibility) out.visibility = { ...comment.visibility, identifier: comment.visibility.value };
  // Cloud marks every comment; Service Management internal notes are `false`.
  if (ctx.state.flavour === 'cloud') out.jsdPublic = !comment.internal;
  if (options.properties) out.properties = [...comment.properties].map(([key, value]) => ({ key, value }));
  return out;
}

function contentUrl(ctx: RenderContext, a: Attachment): string {
  return ctx.state.flavour === 'cloud'
    ? api(ctx, `attachment/content/${a.id}`)
    : `${ctx.base}/secure/attachment/${a.id}/${encodeURIComponent(a.filename)}`;
}

/** An attachment in `fields.attachment` and the upload answer (`Attachment`, id as string). */
export function attachmentJson(ctx: RenderContext, a: Attachment): Json {
  return {
    self: api(ctx, `attachment/${a.id}`),
    id: a.id,
    filename: a.filename,
    author: userByHandle(ctx, a.author),
    created: jiraDateTime(a.created),
    size: a.content.length,
    mimeType: a.mimeType,
    content: contentUrl(ctx, a),
  };
}

/** `GET /attachment/{id}` (`AttachmentMetadata`: the id is a number there). */
export function attachmentMetadataJson(ctx: RenderContext, a: Attachment): Json {
  const author = ctx.state.users.get(a.author);
  return {
    id: Number(a.id),
    self: api(ctx, `attachment/${a.id}`),
    filename: a.filename,
    ...(author ? { author: fullUserJson(ctx, author) } : {}),
    created: jiraDateTime(a.created),
    size: a.content.length,
    mimeType: a.mimeType,
    properties: {},
    content: contentUrl(ctx, a),
  };
}

export function linkTypeJson(ctx: RenderContext, type: IssueLinkType): Json {
  return {
    id: type.id,
    name: type.name,
    inward: type.inward,
    outward: type.outward,
    self: api(ctx, `issueLinkType/${type.id}`),
  };
}

/** The small issue embedded in links (`LinkedIssue`). */
export function linkedIssueJson(ctx: RenderContext, issue: Issue): Json {
  const status = ctx.state.statuses.get(issue.statusId);
  const type = ctx.state.issueTypes.get(issue.issueTypeId);
  const priority = issue.priorityId === null ? undefined : ctx.state.priorities.get(issue.priorityId);
  return {
    id: issue.id,
    key: issue.key,
    self: api(ctx, `issue/${issue.id}`),
    fields: {
      summary: issue.summary,
      ...(status ? { status: statusJson(ctx, status) } : {}),
      ...(priority ? { priority: priorityJson(ctx, priority) } : {}),
      ...(type ? { issuetype: issueTypeJson(ctx, type) } : {}),
    },
  };
}

/** `GET /issueLink/{id}` (`IssueLink`). */
export function issueLinkJson(ctx: RenderContext, link: IssueLink): Json | undefined {
  const type = ctx.state.linkTypes.get(link.typeId);
  const source = ctx.state.issues.get(link.sourceId);
  const destination = ctx.state.issues.get(link.destinationId);
  if (!type || !source || !destination) return undefined;
  return {
    id: link.id,
    self: api(ctx, `issueLink/${link.id}`),
    type: linkTypeJson(ctx, type),
    inwardIssue: linkedIssueJson(ctx, source),
    outwardIssue: linkedIssueJson(ctx, destination),
  };
}

/** An entry of `fields.issuelinks` as seen from `issue`. */
function issueLinkFromJson(ctx: RenderContext, link: IssueLink, issue: Issue): Json | undefined {
  const type = ctx.state.linkTypes.get(link.typeId);
  const otherId = link.sourceId === issue.id ? link.destinationId : link.sourceId;
  const other = ctx.state.issues.get(otherId);
  if (!type || !other) return undefined;
  const side = link.sourceId === issue.id ? 'outwardIssue' : 'inwardIssue';
  return {
    id: link.id,
    self: api(ctx, `issueLink/${link.id}`),
    type: linkTypeJson(ctx, type),
    [side]: linkedIssueJson(ctx, other),
  };
}

export function customFieldValueJson(
  ctx: RenderContext,
  field: CustomField,
  value: string | number | undefined,
): unknown {
  if (value === undefined) return null;
  switch (field.type) {
    case 'select': {
      const option = field.options.find((o) => o.id === value);
      return option
        ? {
            self: `${ctx.base}/rest/api/2/customFieldOption/${option.id}`,
            value: option.value,
            id: option.id,
          }
        : null;
    }
    case 'user':
      return userByHandle(ctx, String(value));
    default:
      return value;
  }
}

/** Service Management's request-type field value, as Cloud and Data Center render it on issues. */
export function requestTypeFieldJson(ctx: RenderContext, issue: Issue): Json | null {
  const project = ctx.state.projectOf(issue);
  const requestType = ctx.state.requestType(issue);
  const sd = project.serviceDesk;
  if (!requestType || !sd) return null;
  const status = ctx.state.statuses.get(issue.statusId);
  const changed = issue.statusCategoryChanged;
  return {
    _links: {
      jiraRest: api(ctx, `issue/${issue.id}`),
      web: `${ctx.base}/servicedesk/customer/portal/${sd.id}/${issue.key}`,
      agent: `${ctx.base}/browse/${issue.key}`,
      self: `${ctx.base}/rest/servicedeskapi/request/${issue.id}`,
    },
    requestType: {
      _links: { self: `${ctx.base}/rest/servicedeskapi/servicedesk/${sd.id}/requesttype/${requestType.id}` },
      id: requestType.id,
      name: requestType.name,
      description: requestType.description,
      helpText: requestType.helpText,
      issueTypeId: requestType.issueTypeId,
      serviceDeskId: sd.id,
      portalId: sd.id,
      groupIds: ['1'],
    },
    currentStatus: {
      status: status?.name ?? '',
      statusCategory: (status?.category ?? 'new').toUpperCase(),
      statusDate: dateDto(changed),
    },
  };
}

export const SYSTEM_FIELDS = [
  'summary',
  'description',
  'environment',
  'issuetype',
  'project',
  'priority',
  'status',
  'assignee',
  'reporter',
  'creator',
  'labels',
  'duedate',
  'created',
  'updated',
  'resolution',
  'resolutiondate',
  'statuscategorychangedate',
  'issuelinks',
  'attachment',
  'subtasks',
  'components',
  'fixVersions',
  'versions',
  'comment',
  'worklog',
] as const;

/** Fields left out of `*navigable` (Jira renders them only on request or with `*all`). */
const NOT_NAVIGABLE = new Set(['comment', 'worklog']);

export type FieldSelection = ReadonlySet<string> | 'all' | 'navigable';

/** Parses Jira's `fields` parameter: `*all`, `*navigable`, ids, and `-id` exclusions. */
export function parseFieldSelection(
  values: readonly string[],
  fallback: FieldSelection,
): FieldSelection | { include: FieldSelection; exclude: ReadonlySet<string> } {
  const parts = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (parts.length === 0) return fallback;
  const exclude = new Set(parts.filter((p) => p.startsWith('-')).map((p) => p.slice(1)));
  const positive = parts.filter((p) => !p.startsWith('-'));
  let include: FieldSelection;
  if (positive.includes('*all')) include = 'all';
  else if (positive.includes('*navigable')) include = 'navigable';
  else if (positive.length === 0) include = 'navigable';
  else include = new Set(positive);
  return exclude.size === 0 ? include : { include, exclude };
}

function wants(selection: ReturnType<typeof parseFieldSelection>, field: string): boolean {
  if (typeof selection === 'object' && 'include' in selection) {
    return !selection.exclude.has(field) && wants(selection.include, field);
  }
  if (selection === 'all') return true;
  if (selection === 'navigable') return !NOT_NAVIGABLE.has(field);
  return selection.has(field);
}

export function worklogJson(ctx: RenderContext, w: Worklog): Json {
  return {
    self: api(ctx, `issue/${w.issueId}/worklog/${w.id}`),
    author: userByHandle(ctx, w.author),
    updateAuthor: userByHandle(ctx, w.author),
    comment: w.comment,
    created: jiraDateTime(w.created),
    updated: jiraDateTime(w.updated),
    started: jiraDateTime(w.started),
    timeSpent: `${Math.round(w.timeSpentSeconds / 60)}m`,
    timeSpentSeconds: w.timeSpentSeconds,
    id: w.id,
    issueId: w.issueId,
  };
}

/** The `fields` object of an issue, restricted to a selection. */
export function issueFieldsJson(
  ctx: RenderContext,
  issue: Issue,
  selection: ReturnType<typeof parseFieldSelection> = 'all',
): Json {
  const { state } = ctx;
  const project = state.projectOf(issue);
  const status = state.statuses.get(issue.statusId);
  const type = state.issueTypes.get(issue.issueTypeId);
  const priority = issue.priorityId === null ? undefined : state.priorities.get(issue.priorityId);
  const all: Record<string, () => unknown> = {
    summary: () => issue.summary,
    description: () => issue.description,
    environment: () => issue.environment,
    issuetype: () => (type ? issueTypeJson(ctx, type) : null),
    project: () => projectRefJson(ctx, project),
    priority: () => (priority ? priorityJson(ctx, priority) : null),
    status: () => (status ? statusJson(ctx, status) : null),
    assignee: () => userByHandle(ctx, issue.assignee),
    reporter: () => userByHandle(ctx, issue.reporter),
    creator: () => userByHandle(ctx, issue.creator),
    labels: () => [...issue.labels],
    duedate: () => issue.duedate,
    created: () => jiraDateTime(issue.created),
    updated: () => jiraDateTime(issue.updated),
    resolution: () => resolutionJson(ctx, issue.resolutionId),
    resolutiondate: () => (issue.resolutionDate === null ? null : jiraDateTime(issue.resolutionDate)),
    statuscategorychangedate: () => jiraDateTime(issue.statusCategoryChanged),
    issuelinks: () =>
      [...state.links.values()]
        .filter((l) => l.sourceId === issue.id || l.destinationId === issue.id)
        .flatMap((l) => issueLinkFromJson(ctx, l, issue) ?? []),
    attachment: () =>
      issue.attachments.flatMap((id) => {
        const a = state.attachments.get(id);
        return a ? [attachmentJson(ctx, a)] : [];
      }),
    subtasks: () => [],
    components: () => [],
    fixVersions: () => [],
    versions: () => [],
    comment: () => ({
      comments: issue.comments.map((c) => commentJson(ctx, c)),
      maxResults: issue.comments.length,
      total: issue.comments.length,
      startAt: 0,
    }),
    worklog: () => ({
      startAt: 0,
      maxResults: 20,
      total: issue.worklogs.length,
      worklogs: issue.worklogs.map((w) => worklogJson(ctx, w)),
    }),
  };
  for (const field of state.customFields.values()) {
    all[field.id] = () => customFieldValueJson(ctx, field, issue.custom.get(field.id));
  }
  const service = serviceFieldIds(state.flavour);
  all[service.requestType] = () => requestTypeFieldJson(ctx, issue);
  all[service.participants] = () =>
    issue.participants.flatMap((h) => {
      const u = userByHandle(ctx, h);
      return u ? [u] : [];
    });
  const fields: Json = {};
  for (const [id, render] of Object.entries(all)) if (wants(selection, id)) fields[id] = render();
  return fields;
}

export function changeItemJson(
  item: ChangeItem,
  options: { webhook: boolean; flavour: SiteState['flavour'] },
): Json {
  const out: Json = {
    field: item.field,
    fieldtype: item.fieldtype,
    // Data Center changelog items carry no fieldId (neither in REST nor in webhooks).
    ...(options.flavour === 'cloud' && item.fieldId !== undefined ? { fieldId: item.fieldId } : {}),
    from: item.from,
    fromString: item.fromString,
    to: item.to,
    toString: item.toString,
  };
  // REST leaves empty sides out (the contract types them as strings); webhooks send them as null.
  if (!options.webhook)
    for (const k of ['from', 'fromString', 'to', 'toString']) if (out[k] === null) delete out[k];
  if (options.webhook && options.flavour === 'cloud' && item.accountIds) {
    out.tmpFromAccountId = item.accountIds.from;
    out.tmpToAccountId = item.accountIds.to;
  }
  return out;
}

export function historyJson(ctx: RenderContext, history: History): Json {
  return {
    id: history.id,
    author: userByHandle(ctx, history.author),
    created: jiraDateTime(history.created),
    items: history.items.map((i) => changeItemJson(i, { webhook: false, flavour: ctx.state.flavour })),
  };
}

export function fieldNames(state: SiteState): Json {
  const names: Json = {
    summary: 'Summary',
    description: 'Description',
    environment: 'Environment',
    issuetype: 'Issue Type',
    project: 'Project',
    priority: 'Priority',
    status: 'Status',
    assignee: 'Assignee',
    reporter: 'Reporter',
    creator: 'Creator',
    labels: 'Labels',
    duedate: 'Due date',
    created: 'Created',
    updated: 'Updated',
    resolution: 'Resolution',
    resolutiondate: 'Resolved',
    statuscategorychangedate: 'Status Category Changed',
    issuelinks: 'Linked Issues',
    attachment: 'Attachment',
    subtasks: 'Sub-tasks',
    components: 'Components',
    fixVersions: 'Fix versions',
    versions: 'Affects versions',
    comment: 'Comment',
    worklog: 'Log Work',
  };
  for (const f of state.customFields.values()) names[f.id] = f.name;
  const service = serviceFieldIds(state.flavour);
  names[service.requestType] = 'Request Type';
  names[service.participants] = 'Request participants';
  return names;
}

export interface IssueRenderOptions {
  readonly fields?: ReturnType<typeof parseFieldSelection>;
  readonly expand?: ReadonlySet<string>;
  readonly properties?: readonly string[];
  readonly transitions?: () => Json[];
}

/** An issue (`IssueBean`). */
export function issueJson(ctx: RenderContext, issue: Issue, options: IssueRenderOptions = {}): Json {
  const selection = options.fields ?? 'all';
  if (selection instanceof Set && selection.size === 1 && selection.has('id')) return { id: issue.id };
  const out: Json = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: api(ctx, `issue/${issue.id}`),
    key: issue.key,
  };
  if (options.properties && options.properties.length > 0) {
    const wanted = options.properties.includes('*all') ? [...issue.properties.keys()] : options.properties;
    out.properties = Object.fromEntries(
      wanted.filter((k) => issue.properties.has(k)).map((k) => [k, issue.properties.get(k)]),
    );
  }
  if (options.expand?.has('names')) out.names = fieldNames(ctx.state);
  if (options.expand?.has('transitions') && options.transitions) out.transitions = options.transitions();
  if (options.expand?.has('changelog')) {
    out.changelog = {
      startAt: 0,
      maxResults: issue.history.length,
      total: issue.history.length,
      histories: issue.history.map((h) => historyJson(ctx, h)),
    };
  }
  out.fields = issueFieldsJson(ctx, issue, selection);
  return out;
}

export function customFieldJson(field: CustomField): Json {
  const type = CUSTOM_FIELD_TYPES[field.type];
  return {
    id: field.id,
    key: field.id,
    name: field.name,
    custom: true,
    orderable: true,
    navigable: true,
    searchable: true,
    clauseNames: [`cf[${field.numericId}]`, field.name],
    schema: { type: type.schemaType, custom: type.custom, customId: field.numericId },
  };
}
