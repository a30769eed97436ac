import { JiraError } from '../errors.ts';
import { addAttachments } from './attachment-ops.ts';
import { serviceFieldIds } from './catalog.ts';
import { addComment } from './comment-ops.ts';
import { createIssue, recordHistory, transitionIssue } from './issue-ops.ts';
import { type OpsContext, reindex, touch } from './ops-context.ts';
import type { Attachment, Comment, Issue, Project, RequestType, ServiceDesk, User } from './types.ts';

/**
 * Jira Service Management: requests raised by customers (or by agents on their behalf), public replies
 * and internal notes, participants, customers and portal transitions. Requests are issues: these build on
 * the issue and comment operations, so the same webhooks fire.
 */

/** The service desk by id (or project key), for anyone: Jira answers 404 for unknown desks. */
export function serviceDesk(ctx: OpsContext, id: string): { desk: ServiceDesk; project: Project } {
  for (const project of ctx.state.projects.values()) {
    if (!project.deleted && project.serviceDesk && (project.serviceDesk.id === id || project.key === id)) {
      return { desk: project.serviceDesk, project };
    }
  }
  throw JiraError.notFound(`Service desk ${id} does not exist.`);
}

export function isAgent(ctx: OpsContext, user: User, project: Project): boolean {
  return ctx.state.hasPermission(user, project, 'SERVICEDESK_AGENT');
}

export function canUseDesk(ctx: OpsContext, user: User, project: Project): boolean {
  return isAgent(ctx, user, project) || ctx.state.isCustomerOf(user, project);
}

export function requestTypeOf(desk: ServiceDesk, id: string): RequestType {
  const rt = desk.requestTypes.find((r) => r.id === id);
  if (!rt) throw JiraError.notFound(`Request type ${id} does not exist in service desk ${desk.id}.`);
  return rt;
}

function userByRef(ctx: OpsContext, ref: string): User | undefined {
  return ctx.state.flavour === 'cloud'
    ? ctx.state.findUser({ accountId: ref })
    : ctx.state.findUser({ name: ref });
}

export interface RequestInput {
  readonly serviceDeskId: string;
  readonly requestTypeId: string;
  readonly requestFieldValues: Record<string, unknown>;
  readonly raiseOnBehalfOf?: string;
  readonly requestParticipants?: readonly string[];
}

export function createRequest(ctx: OpsContext, actor: User, input: RequestInput): Issue {
  const { desk, project } = serviceDesk(ctx, input.serviceDeskId);
  if (!canUseDesk(ctx, actor, project))
    throw JiraError.forbidden('You do not have permission to raise requests in this service desk.');
  const requestType = requestTypeOf(desk, input.requestTypeId);
  let reporter = actor;
  if (input.raiseOnBehalfOf !== undefined) {
    if (!isAgent(ctx, actor, project))
      throw JiraError.forbidden('Only agents can raise requests on behalf of customers.');
    const customer =
      userByRef(ctx, input.raiseOnBehalfOf) ?? ctx.state.findUser({ email: input.raiseOnBehalfOf });
    if (!customer) throw JiraError.badRequest(`The user '${input.raiseOnBehalfOf}' does not exist.`);
    if (!canUseDesk(ctx, customer, project))
      throw JiraError.badRequest(
        `The user '${input.raiseOnBehalfOf}' is not a customer of this service desk.`,
      );
    reporter = customer;
  }
  const allowed = new Set(requestType.fields.map((f) => f.fieldId));
  const errors: Record<string, string> = {};
  for (const key of Object.keys(input.requestFieldValues)) {
    if (!allowed.has(key))
      errors[key] = `The field '${key}' is not valid for request type '${requestType.name}'.`;
  }
  for (const f of requestType.fields) {
    if (
      f.required &&
      (input.requestFieldValues[f.fieldId] === undefined || input.requestFieldValues[f.fieldId] === '')
    ) {
      errors[f.fieldId] = `${f.name} is required.`;
    }
  }
  if (Object.keys(errors).length > 0) throw new JiraError(400, Object.values(errors), errors);
  const participants: string[] = [];
  for (const ref of input.requestParticipants ?? []) {
    const user = userByRef(ctx, ref);
    if (!user) throw JiraError.badRequest(`The participant '${ref}' does not exist.`);
    participants.push(user.handle);
  }
  const agent = isAgent(ctx, actor, project);
  return createIssue(
    ctx,
    actor,
    {
      fields: {
        project: { id: project.id },
        issuetype: { id: requestType.issueTypeId },
        ...input.requestFieldValues,
      },
    },
    { requestTypeId: requestType.id, reporter: reporter.handle, participants, portal: !agent },
  );
}

/** A request as the caller may see it through the portal API. */
export function viewRequest(ctx: OpsContext, actor: User, idOrKey: string): Issue {
  const issue = ctx.state.findIssue(idOrKey);
  if (!issue || issue.requestTypeId === null || !ctx.state.portalCanSee(actor, issue)) {
    throw JiraError.notFound('The request does not exist or you do not have permission to see it.');
  }
  return issue;
}

export function addRequestComment(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  input: { body: string; public: boolean },
): Comment {
  const issue = viewRequest(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  const agent = isAgent(ctx, actor, project);
  if (!input.public && !agent)
    throw JiraError.forbidden('You do not have permission to create internal comments.');
  return addComment(ctx, actor, issue.id, { body: input.body, internal: !input.public }, { portal: !agent });
}

export function requestComments(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  filter: { public: boolean; internal: boolean },
): Comment[] {
  const issue = viewRequest(ctx, actor, idOrKey);
  const agent = isAgent(ctx, actor, ctx.state.projectOf(issue));
  return issue.comments.filter((c) => (c.internal ? agent && filter.internal : filter.public));
}

export function changeParticipants(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  refs: readonly string[],
  add: boolean,
): Issue {
  const issue = viewRequest(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  if (!isAgent(ctx, actor, project) && issue.reporter !== actor.handle) {
    throw JiraError.forbidden('You do not have permission to manage participants of this request.');
  }
  const before = [...issue.participants];
  for (const ref of refs) {
    const user = userByRef(ctx, ref);
    if (!user) throw JiraError.badRequest(`The user '${ref}' does not exist.`);
    if (add && !issue.participants.includes(user.handle)) issue.participants.push(user.handle);
    if (!add) issue.participants = issue.participants.filter((h) => h !== user.handle);
  }
  if (before.join() !== issue.participants.join()) {
    const names = (hs: string[]) =>
      hs.map((h) => ctx.state.users.get(h)?.displayName ?? h).join(', ') || null;
    const history = recordHistory(ctx, issue, actor, [
      {
        field: 'Request participants',
        fieldtype: 'custom',
        fieldId: serviceFieldIds(ctx.state.flavour).participants,
        from: null,
        fromString: names(before),
        to: null,
        toString: names(issue.participants),
      },
    ]);
    touch(ctx, issue);
    reindex(ctx, issue);
    ctx.emit({
      type: 'issue_updated',
      issue,
      actor: actor.handle,
      eventTypeName: 'issue_updated',
      ...(history ? { history } : {}),
    });
  }
  return issue;
}

export function customerTransition(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  input: { id: string; comment?: string },
): Issue {
  const issue = viewRequest(ctx, actor, idOrKey);
  const agent = isAgent(ctx, actor, ctx.state.projectOf(issue));
  transitionIssue(ctx, actor, issue.id, { transition: { id: input.id } }, { portal: true });
  if (input.comment) addComment(ctx, actor, issue.id, { body: input.comment }, { portal: !agent });
  return issue;
}

export function changeCustomers(
  ctx: OpsContext,
  actor: User,
  deskId: string,
  refs: readonly string[],
  add: boolean,
): void {
  const { desk, project } = serviceDesk(ctx, deskId);
  if (!isAgent(ctx, actor, project))
    throw JiraError.forbidden('You do not have permission to manage customers of this service desk.');
  for (const ref of refs) {
    const user = userByRef(ctx, ref);
    if (!user) throw JiraError.badRequest(`The user '${ref}' does not exist.`);
    if (add) desk.customers.add(user.handle);
    else desk.customers.delete(user.handle);
  }
}

export function createCustomer(
  ctx: OpsContext,
  actor: User,
  input: { email: string; displayName: string },
): User {
  if (!actor.admin && ![...ctx.state.projects.values()].some((p) => isAgent(ctx, actor, p))) {
    throw JiraError.forbidden('You do not have permission to create customers.');
  }
  if (ctx.state.findUser({ email: input.email }))
    throw new JiraError(409, [`A user with the e-mail ${input.email} already exists.`]);
  const n = ctx.state.nextId('user');
  const local =
    input.email
      .split('@')[0]
      ?.toLowerCase()
      .replace(/[^a-z0-9._-]/g, '') || `customer${n}`;
  let handle = /^[a-z]/.test(local) ? local : `c${local}`;
  if (ctx.state.users.has(handle)) handle = `${handle}-${n}`;
  const cloud = ctx.state.flavour === 'cloud';
  const user: User = {
    handle,
    ...(cloud
      ? { accountId: `qm:${n}:${Buffer.from(input.email).toString('hex').slice(0, 24)}` }
      : { name: handle, key: `JIRAUSER${n}` }),
    displayName: input.displayName,
    email: input.email,
    emailVisible: true,
    timeZone: 'UTC',
    accountType: cloud ? 'customer' : 'atlassian',
    active: true,
    admin: false,
    apiTokens: [],
    pats: [],
  };
  ctx.state.users.set(handle, user);
  return user;
}

export function attachToRequest(
  ctx: OpsContext,
  actor: User,
  idOrKey: string,
  input: { temporaryAttachmentIds: readonly string[]; public: boolean; comment?: string },
): { attachments: Attachment[]; comment?: Comment } {
  const issue = viewRequest(ctx, actor, idOrKey);
  const project = ctx.state.projectOf(issue);
  const agent = isAgent(ctx, actor, project);
  if (!input.public && !agent)
    throw JiraError.forbidden('You do not have permission to add internal attachments.');
  const files = input.temporaryAttachmentIds.map((id) => {
    const temp = ctx.state.temporaryAttachments.get(id);
    if (!temp || temp.user !== actor.handle || temp.serviceDeskId !== project.serviceDesk?.id) {
      throw JiraError.badRequest(`The temporary attachment ${id} does not exist or has expired.`);
    }
    return temp;
  });
  for (const f of files) ctx.state.temporaryAttachments.delete(f.id);
  const attachments = addAttachments(ctx, actor, issue.id, files, { portal: !agent });
  const body = input.comment ?? attachments.map((a) => `[^${a.filename}]`).join(' ');
  const comment = addComment(ctx, actor, issue.id, { body, internal: !input.public }, { portal: !agent });
  return { attachments, comment };
}
