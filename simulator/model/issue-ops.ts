import { JiraError } from '../errors.ts';
import { addComment } from './comment-ops.ts';
import { planFields } from './fields.ts';
import { browseIssue, type OpsContext, reindex, requirePermission, touch } from './ops-context.ts';
import type { ChangeItem, History, Issue, Project, Transition, User } from './types.ts';

/** Creating, editing, transitioning, moving and deleting issues; issue properties and work logs. */

export interface IssueInput {
  readonly fields?: Record<string, unknown>;
  readonly update?: Record<string, unknown>;
  readonly properties?: readonly { readonly key: string; readonly value: unknown }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_PROPERTY_BYTES = 32_768;

export function recordHistory(
  ctx: OpsContext,
  issue: Issue,
  actor: User,
  items: readonly ChangeItem[],
): History | undefined {
  if (items.length === 0) return undefined;
  const history: History = {
    id: ctx.state.nextId('history'),
    author: actor.handle,
    created: ctx.now(),
    items,
  };
  issue.history.push(history);
  return history;
}

function checkProperties(properties: IssueInput['properties']): void {
  for (const p of properties ?? []) {
    if (typeof p.key !== 'string' || p.key === '' || p.key.length > 255) {
      throw JiraError.badRequest('The property key must be between 1 and 255 characters.');
    }
    if (Buffer.byteLength(JSON.stringify(p.value ?? null)) > MAX_PROPERTY_BYTES) {
      throw JiraError.badRequest(`The property '${p.key}' exceeds the maximum size of 32768 bytes.`);
    }
  }
}

/** The project named by `fields.project`, if the actor can see it (portal customers create without that). */
function resolveProject(ctx: OpsContext, actor: User, value: unknown, portal: boolean): Project | undefined {
  if (!isRecord(value)) return undefined;
  const ref =
    value.id !== undefined ? String(value.id) : typeof value.key === 'string' ? value.key : undefined;
  if (ref === undefined) return undefined;
  const project = ctx.state.findProject(ref);
  if (!project) return undefined;
  return portal || ctx.state.hasPermission(actor, project, 'BROWSE_PROJECTS') ? project : undefined;
}

export interface CreateOptions {
  /** Service Management: the request type, the customer it is raised for, its participants. */
  readonly requestTypeId?: string;
  readonly reporter?: string;
  readonly participants?: readonly string[];
  /** Portal requests are created by customers who have no project permissions. */
  readonly portal?: boolean;
}

export function createIssue(
  ctx: OpsContext,
  actor: User,
  input: IssueInput,
  opts: CreateOptions = {},
): Issue {
  const { state } = ctx;
  const fields = input.fields ?? {};
  const project = resolveProject(ctx, actor, fields.project, opts.portal === true);
  if (!project) throw JiraError.fieldErrors({ project: 'Specify a valid project ID or key' });
  if (!opts.portal) {
    requirePermission(ctx, actor, project, 'CREATE_ISSUES', () =>
      JiraError.forbidden(
        `You do not have permission to create issues in project ${project.key} (CREATE_ISSUES).`,
      ),
    );
  }
  checkProperties(input.properties);
  const workflow = state.workflowOf(project);
  const now = ctx.now();
  const draft: Issue = {
    id: '',
    key: '',
    projectId: project.id,
    issueTypeId: '',
    statusId: workflow.initialStatus,
    summary: '',
    description: null,
    environment: null,
    priorityId: null,
    assignee: null,
    reporter: opts.reporter ?? actor.handle,
    creator: actor.handle,
    labels: [],
    duedate: null,
    resolutionId: null,
    resolutionDate: null,
    custom: new Map(),
    created: now,
    updated: now,
    statusCategoryChanged: now,
    comments: [],
    attachments: [],
    properties: new Map(),
    remoteLinks: [],
    history: [],
    worklogs: [],
    requestTypeId: opts.requestTypeId ?? null,
    participants: [...(opts.participants ?? [])],
    previousKeys: [],
    indexed: null,
    pendingIndex: null,
  };
  const plan = planFields(ctx, actor, draft, project, input, 'create', {
    skipPermissionChecks: opts.portal === true,
  });
  const errors = { ...plan.errors };
  if (!('issuetype' in fields) && !opts.requestTypeId) errors.issuetype = 'Specify an issue type';
  if (!('summary' in fields) && !('summary' in (input.update ?? {})))
    errors.summary = 'You must specify a summary of the issue.';
  if (Object.keys(errors).length > 0) throw JiraError.fieldErrors(errors);

  for (const change of plan.changes) change.apply(draft);
  if (draft.issueTypeId === '' && opts.requestTypeId) {
    draft.issueTypeId =
      project.serviceDesk?.requestTypes.find((r) => r.id === opts.requestTypeId)?.issueTypeId ?? '';
  }
  if (draft.priorityId === null && !('priority' in fields)) draft.priorityId = state.defaultPriority;
  if (project.serviceDesk && draft.requestTypeId === null) {
    draft.requestTypeId =
      project.serviceDesk.requestTypes.find((r) => r.issueTypeId === draft.issueTypeId)?.id ?? null;
  }
  const issue: Issue = { ...draft, id: state.nextId('issue'), key: `${project.key}-${project.nextNumber++}` };
  for (const p of input.properties ?? []) issue.properties.set(p.key, p.value);
  state.issues.set(issue.id, issue);
  state.issueIdByKey.set(issue.key, issue.id);
  reindex(ctx, issue);

  // Cloud sends the fields set at creation as a changelog on `jira:issue_created`; REST keeps no history.
  const status = state.status(issue.statusId);
  const items: ChangeItem[] = [
    ...plan.changes.flatMap((c) => (c.item ? [c.item] : [])),
    {
      field: 'Status',
      fieldtype: 'jira',
      fieldId: 'status',
      from: null,
      fromString: null,
      to: status.id,
      toString: status.name,
    },
  ];
  if (!plan.changes.some((c) => c.fieldId === 'reporter') && issue.reporter) {
    const reporter = state.users.get(issue.reporter);
    const ref = reporter ? ((state.flavour === 'cloud' ? reporter.accountId : reporter.key) ?? null) : null;
    items.push({
      field: 'reporter',
      fieldtype: 'jira',
      fieldId: 'reporter',
      from: null,
      fromString: null,
      to: ref,
      toString: reporter?.displayName ?? null,
      ...(state.flavour === 'cloud' ? { accountIds: { from: null, to: ref } } : {}),
    });
  }
  items.sort((a, b) => a.field.toLowerCase().localeCompare(b.field.toLowerCase()));
  ctx.emit({ type: 'issue_created', issue, actor: actor.handle, items });
  for (const body of plan.comments) addComment(ctx, actor, issue.id, { body });
  return issue;
}

export function editIssue(ctx: OpsContext, actor: User, idOrKey: string, input: IssueInput): Issue {
  const issue = browseIssue(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  requirePermission(ctx, actor, project, 'EDIT_ISSUES', () =>
    JiraError.forbidden(`You do not have permission to edit issues in project ${project.key} (EDIT_ISSUES).`),
  );
  checkProperties(input.properties);
  const plan = planFields(ctx, actor, issue, project, input, 'edit');
  if (Object.keys(plan.errors).length > 0) throw JiraError.fieldErrors(plan.errors);
  for (const p of input.properties ?? []) issue.properties.set(p.key, p.value);
  if (plan.changes.length > 0) {
    for (const change of plan.changes) change.apply(issue);
    const history = recordHistory(
      ctx,
      issue,
      actor,
      plan.changes.flatMap((c) => (c.item ? [c.item] : [])),
    );
    touch(ctx, issue);
    reindex(ctx, issue);
    const onlyAssignee = plan.changes.every((c) => c.fieldId === 'assignee');
    ctx.emit({
      type: 'issue_updated',
      issue,
      actor: actor.handle,
      eventTypeName: onlyAssignee ? 'issue_assigned' : 'issue_updated',
      ...(history ? { history } : {}),
    });
  }
  for (const body of plan.comments) addComment(ctx, actor, issue.id, { body });
  return issue;
}

/** Transitions the actor may run now: workflow transitions from the current status. */
export function availableTransitions(
  ctx: OpsContext,
  actor: User,
  issue: Issue,
  portal = false,
): Transition[] {
  const project = ctx.state.projectOf(issue);
  const workflow = ctx.state.workflowOf(project);
  const permitted = portal
    ? ctx.state.portalCanSee(actor, issue)
    : ctx.state.hasPermission(actor, project, 'TRANSITION_ISSUES');
  if (!permitted) return [];
  return workflow.transitions.filter(
    (t) => (t.from.length === 0 || t.from.includes(issue.statusId)) && (!portal || t.customer === true),
  );
}

export interface TransitionInput extends IssueInput {
  readonly transition?: { readonly id?: string | number; readonly name?: string };
}

export function transitionIssue(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  input: TransitionInput,
  opts: { readonly portal?: boolean } = {},
): Issue {
  const { state } = ctx;
  const issue = opts.portal ? state.findIssue(idOrKey) : browseIssue(ctx, actor, idOrKey);
  if (!issue) throw JiraError.issueNotFound();
  const project = state.projectOf(issue);
  const wanted = input.transition?.id === undefined ? undefined : String(input.transition.id);
  const transition = availableTransitions(ctx, actor, issue, opts.portal).find((t) => t.id === wanted);
  if (!transition) {
    throw JiraError.badRequest(`Transition id '${wanted ?? ''}' is not valid for this issue.`);
  }
  const plan = planFields(ctx, actor, issue, project, input, 'transition', {
    skipPermissionChecks: opts.portal === true,
  });
  if (Object.keys(plan.errors).length > 0) throw JiraError.fieldErrors(plan.errors);
  const from = state.status(issue.statusId);
  const to = state.status(transition.to);
  for (const change of plan.changes) change.apply(issue);
  const items = plan.changes.flatMap((c) => (c.item ? [c.item] : []));
  issue.statusId = to.id;
  items.push({
    field: 'status',
    fieldtype: 'jira',
    fieldId: 'status',
    from: from.id,
    fromString: from.name,
    to: to.id,
    toString: to.name,
  });
  if (from.category !== to.category) issue.statusCategoryChanged = ctx.now();
  const setsResolution = plan.changes.some((c) => c.fieldId === 'resolution');
  if (to.category === 'done' && issue.resolutionId === null && !setsResolution) {
    const done = state.resolutions.get('10000');
    if (done) {
      issue.resolutionId = done.id;
      issue.resolutionDate = ctx.now();
      items.push({
        field: 'resolution',
        fieldtype: 'jira',
        fieldId: 'resolution',
        from: null,
        fromString: null,
        to: done.id,
        toString: done.name,
      });
    }
  } else if (to.category !== 'done' && issue.resolutionId !== null) {
    const old = state.resolutions.get(issue.resolutionId);
    issue.resolutionId = null;
    issue.resolutionDate = null;
    items.push({
      field: 'resolution',
      fieldtype: 'jira',
      fieldId: 'resolution',
      from: old?.id ?? null,
      fromString: old?.name ?? null,
      to: null,
      toString: null,
    });
  }
  const history = recordHistory(ctx, issue, actor, items);
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_generic',
    ...(history ? { history } : {}),
  });
  for (const body of plan.comments)
    addComment(ctx, actor, issue.id, { body }, { portal: opts.portal === true });
  return issue;
}

export function deleteIssue(ctx: OpsContext, actor: User, idOrKey: string): void {
  const { state } = ctx;
  const issue = browseIssue(ctx, actor, idOrKey);
  const project = state.projectOf(issue);
  requirePermission(ctx, actor, project, 'DELETE_ISSUES', () =>
    JiraError.forbidden(
      `You do not have permission to delete issues in project ${project.key} (DELETE_ISSUES).`,
    ),
  );
  ctx.emit({ type: 'issue_deleted', issue, actor: actor.handle });
  for (const [id, link] of state.links)
    if (link.sourceId === issue.id || link.destinationId === issue.id) state.links.delete(id);
  for (const id of issue.attachments) state.attachments.delete(id);
  for (const key of [issue.key, ...issue.previousKeys]) state.issueIdByKey.delete(key);
  reindex(ctx, issue, true);
  state.issues.delete(issue.id);
}

/** Moves an issue to another project: a new key, the same id (old keys keep resolving, as in Jira). */
export function moveIssue(ctx: OpsContext, actor: User, idOrKey: string, targetKey: string): Issue {
  const { state } = ctx;
  const issue = browseIssue(ctx, actor, idOrKey);
  const from = state.projectOf(issue);
  const target = state.findProject(targetKey);
  if (!target || target.id === from.id)
    throw JiraError.badRequest(`Cannot move ${issue.key} to ${targetKey}.`);
  requirePermission(ctx, actor, from, 'EDIT_ISSUES', () =>
    JiraError.forbidden(`No permission to move issues out of ${from.key}.`),
  );
  requirePermission(ctx, actor, target, 'CREATE_ISSUES', () =>
    JiraError.forbidden(`No permission to create issues in ${target.key}.`),
  );
  const oldKey = issue.key;
  const newKey = `${target.key}-${target.nextNumber++}`;
  const items: ChangeItem[] = [
    {
      field: 'project',
      fieldtype: 'jira',
      fieldId: 'project',
      from: from.id,
      fromString: from.name,
      to: target.id,
      toString: target.name,
    },
    { field: 'Key', fieldtype: 'jira', from: null, fromString: oldKey, to: null, toString: newKey },
  ];
  if (!target.issueTypeIds.includes(issue.issueTypeId)) {
    const oldType = state.issueTypes.get(issue.issueTypeId);
    const newType = state.issueTypes.get(target.issueTypeIds[0] ?? '');
    if (newType) {
      items.push({
        field: 'issuetype',
        fieldtype: 'jira',
        fieldId: 'issuetype',
        from: oldType?.id ?? null,
        fromString: oldType?.name ?? null,
        to: newType.id,
        toString: newType.name,
      });
      issue.issueTypeId = newType.id;
    }
  }
  const workflow = state.workflowOf(target);
  const statusInTarget =
    workflow.initialStatus === issue.statusId || workflow.transitions.some((t) => t.to === issue.statusId);
  if (!statusInTarget) {
    const old = state.status(issue.statusId);
    const next = state.status(workflow.initialStatus);
    items.push({
      field: 'status',
      fieldtype: 'jira',
      fieldId: 'status',
      from: old.id,
      fromString: old.name,
      to: next.id,
      toString: next.name,
    });
    issue.statusId = next.id;
  }
  issue.projectId = target.id;
  issue.previousKeys.push(oldKey);
  issue.key = newKey;
  issue.requestTypeId =
    target.serviceDesk?.requestTypes.find((r) => r.issueTypeId === issue.issueTypeId)?.id ?? null;
  state.issueIdByKey.set(newKey, issue.id);
  const history = recordHistory(ctx, issue, actor, items);
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_moved',
    ...(history ? { history } : {}),
  });
  return issue;
}

export function setIssueProperty(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  key: string,
  value: unknown,
): 'created' | 'updated' {
  const issue = browseIssue(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  requirePermission(ctx, actor, project, 'EDIT_ISSUES', () =>
    JiraError.forbidden(`You do not have permission to edit issues in project ${project.key} (EDIT_ISSUES).`),
  );
  checkProperties([{ key, value }]);
  const existed = issue.properties.has(key);
  issue.properties.set(key, value);
  ctx.emit({ type: 'issue_property_set', issue, key, value, actor: actor.handle });
  return existed ? 'updated' : 'created';
}

export function deleteIssueProperty(ctx: OpsContext, actor: User, idOrKey: string, key: string): void {
  const issue = browseIssue(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  if (!ctx.state.hasPermission(actor, project, 'EDIT_ISSUES')) throw JiraError.issueNotFound();
  if (!issue.properties.has(key)) throw JiraError.notFound(`The property with key '${key}' does not exist.`);
  const value = issue.properties.get(key);
  issue.properties.delete(key);
  ctx.emit({ type: 'issue_property_deleted', issue, key, value, actor: actor.handle });
}

export function logWork(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  input: { readonly timeSpentSeconds: number; readonly comment?: string },
): Issue {
  const issue = browseIssue(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  requirePermission(ctx, actor, project, 'WORK_ON_ISSUES', () =>
    JiraError.forbidden('You do not have permission to log work on this issue.'),
  );
  const now = ctx.now();
  const worklog = {
    id: ctx.state.nextId('worklog'),
    issueId: issue.id,
    author: actor.handle,
    comment: input.comment ?? '',
    started: now,
    timeSpentSeconds: input.timeSpentSeconds,
    created: now,
    updated: now,
  };
  const before = issue.worklogs.reduce((s, w) => s + w.timeSpentSeconds, 0);
  issue.worklogs.push(worklog);
  const after = before + worklog.timeSpentSeconds;
  const history = recordHistory(ctx, issue, actor, [
    {
      field: 'timespent',
      fieldtype: 'jira',
      fieldId: 'timespent',
      from: before === 0 ? null : String(before),
      fromString: before === 0 ? null : String(before),
      to: String(after),
      toString: String(after),
    },
    {
      field: 'WorklogId',
      fieldtype: 'jira',
      fieldId: 'worklogId',
      from: null,
      fromString: null,
      to: worklog.id,
      toString: worklog.id,
    },
  ]);
  touch(ctx, issue);
  reindex(ctx, issue);
  ctx.emit({ type: 'worklog_created', issue, worklog, actor: actor.handle });
  ctx.emit({
    type: 'issue_updated',
    issue,
    actor: actor.handle,
    eventTypeName: 'issue_work_logged',
    ...(history ? { history } : {}),
  });
  return issue;
}
