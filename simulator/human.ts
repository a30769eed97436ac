import { JiraError, SimulatorUsageError } from './errors.ts';
import { addAttachments } from './model/attachment-ops.ts';
import { addComment, deleteComment, updateComment } from './model/comment-ops.ts';
import {
  availableTransitions,
  deleteIssue,
  deleteIssueProperty,
  editIssue,
  logWork,
  moveIssue,
  setIssueProperty,
  transitionIssue,
} from './model/issue-ops.ts';
import {
  addRequestComment,
  changeParticipants,
  createRequest,
  customerTransition,
  serviceDesk,
} from './model/jsm-ops.ts';
import { createIssueLink, deleteIssueLink, upsertRemoteLink } from './model/link-ops.ts';
import { browseIssue, type OpsContext } from './model/ops-context.ts';
import type { SiteState } from './model/state.ts';
import type { User } from './model/types.ts';
import { createFromInput } from './routes/issues.ts';

/**
 * "Act as a human": what a person does in Jira's UI, through the same domain operations the REST API
 * uses, so permissions apply and the same webhooks fire. Names instead of ids (project key, issue type,
 * status or transition name, user handles) keep tests readable.
 */

export interface IssueRef {
  readonly id: string;
  readonly key: string;
}

export interface HumanFields {
  readonly summary?: string;
  readonly description?: string | null;
  readonly priority?: string | null;
  /** User handle, or null to unassign. */
  readonly assignee?: string | null;
  readonly labels?: readonly string[];
  readonly duedate?: string | null;
  /** Custom fields by id or name, in REST v2 input form (`{value: 'Sev-1'}` for selects). */
  readonly custom?: Readonly<Record<string, unknown>>;
  /** Anything else, passed through as REST `fields`. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface NewIssue extends HumanFields {
  readonly project: string;
  readonly issueType?: string;
  readonly summary: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

const ref = (issue: { id: string; key: string }): IssueRef => ({ id: issue.id, key: issue.key });

export class Human {
  constructor(
    private readonly ops: OpsContext,
    readonly user: User,
  ) {}

  private get state(): SiteState {
    return this.ops.state;
  }

  private userField(handle: string | null): unknown {
    if (handle === null) return this.state.flavour === 'cloud' ? { accountId: null } : { name: null };
    const user = this.state.user(handle);
    return this.state.flavour === 'cloud' ? { accountId: user.accountId } : { name: user.name };
  }

  private toFields(input: HumanFields): Record<string, unknown> {
    const fields: Record<string, unknown> = { ...(input.fields ?? {}) };
    if (input.summary !== undefined) fields.summary = input.summary;
    if (input.description !== undefined) fields.description = input.description;
    if (input.priority !== undefined)
      fields.priority = input.priority === null ? null : { name: input.priority };
    if (input.assignee !== undefined) fields.assignee = this.userField(input.assignee);
    if (input.labels !== undefined) fields.labels = [...input.labels];
    if (input.duedate !== undefined) fields.duedate = input.duedate;
    for (const [name, value] of Object.entries(input.custom ?? {})) {
      const field =
        this.state.customFields.get(name) ??
        [...this.state.customFields.values()].find((f) => f.name === name);
      if (!field) throw new SimulatorUsageError(`no custom field "${name}"`);
      fields[field.id] = field.type === 'user' && typeof value === 'string' ? this.userField(value) : value;
    }
    return fields;
  }

  createIssue(input: NewIssue): IssueRef {
    const project = this.state.project(input.project);
    const typeName = input.issueType ?? this.state.issueTypes.get(project.issueTypeIds[0] ?? '')?.name;
    const fields = { ...this.toFields(input), project: { key: project.key }, issuetype: { name: typeName } };
    const properties = Object.entries(input.properties ?? {}).map(([key, value]) => ({ key, value }));
    return ref(
      createFromInput(this.ops, this.user, { fields, ...(properties.length > 0 ? { properties } : {}) }),
    );
  }

  edit(issue: string, changes: HumanFields): IssueRef {
    return ref(editIssue(this.ops, this.user, issue, { fields: this.toFields(changes) }));
  }

  /** Runs the transition named `to`, or the one leading to the status named `to`. */
  transition(issue: string, to: string, options: { resolution?: string; comment?: string } = {}): IssueRef {
    const found = browseIssue(this.ops, this.user, issue);
    const wanted = to.toLowerCase();
    const available = availableTransitions(this.ops, this.user, found);
    const t =
      available.find((x) => x.name.toLowerCase() === wanted) ??
      available.find((x) => this.state.statuses.get(x.to)?.name.toLowerCase() === wanted);
    if (!t) {
      const names =
        available.map((x) => `${x.name} → ${this.state.statuses.get(x.to)?.name ?? x.to}`).join(', ') ||
        'none';
      throw JiraError.badRequest(
        `No transition "${to}" from ${this.state.status(found.statusId).name} on ${found.key} (available: ${names}).`,
      );
    }
    return ref(
      transitionIssue(this.ops, this.user, found.id, {
        transition: { id: t.id },
        ...(options.resolution ? { fields: { resolution: { name: options.resolution } } } : {}),
        ...(options.comment ? { update: { comment: [{ add: { body: options.comment } }] } } : {}),
      }),
    );
  }

  comment(issue: string, body: string, options: { internal?: boolean } = {}): { id: string } {
    return {
      id: addComment(this.ops, this.user, issue, { body, ...(options.internal ? { internal: true } : {}) })
        .id,
    };
  }

  editComment(issue: string, commentId: string, body: string): void {
    updateComment(this.ops, this.user, issue, commentId, { body });
  }

  deleteComment(issue: string, commentId: string): void {
    deleteComment(this.ops, this.user, issue, commentId);
  }

  attach(
    issue: string,
    file: { filename: string; content: string | Buffer; mimeType?: string },
  ): { id: string } {
    const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    const [attachment] = addAttachments(this.ops, this.user, issue, [
      { filename: file.filename, content, mimeType: file.mimeType ?? 'application/octet-stream' },
    ]);
    return { id: attachment?.id ?? '' };
  }

  /** `from` <link type outward text> `to`, e.g. link('ENG-1', 'ENG-2', 'Blocks'): ENG-1 blocks ENG-2. */
  link(from: string, to: string, type = 'Relates'): { id: string } {
    return {
      id: createIssueLink(this.ops, this.user, {
        type: { name: type },
        inwardIssue: { key: from },
        outwardIssue: { key: to },
      }).id,
    };
  }

  unlink(linkId: string): void {
    deleteIssueLink(this.ops, this.user, linkId);
  }

  remoteLink(
    issue: string,
    link: { url: string; title: string; globalId?: string; relationship?: string },
  ): { id: string } {
    const { globalId, relationship, ...object } = link;
    return {
      id: upsertRemoteLink(this.ops, this.user, issue, {
        ...(globalId === undefined ? {} : { globalId }),
        ...(relationship === undefined ? {} : { relationship }),
        object,
      }).link.id,
    };
  }

  setProperty(issue: string, key: string, value: unknown): void {
    setIssueProperty(this.ops, this.user, issue, key, value);
  }

  deleteProperty(issue: string, key: string): void {
    deleteIssueProperty(this.ops, this.user, issue, key);
  }

  logWork(issue: string, timeSpentSeconds: number, comment?: string): void {
    logWork(this.ops, this.user, issue, { timeSpentSeconds, ...(comment === undefined ? {} : { comment }) });
  }

  move(issue: string, toProject: string): IssueRef {
    return ref(moveIssue(this.ops, this.user, issue, toProject));
  }

  delete(issue: string): void {
    deleteIssue(this.ops, this.user, issue);
  }

  /** Raises a Service Management request through the portal (or as an agent, on behalf of a customer). */
  raiseRequest(input: {
    serviceDesk: string;
    requestType: string;
    summary: string;
    description?: string;
    onBehalfOf?: string;
    participants?: readonly string[];
    fields?: Readonly<Record<string, unknown>>;
  }): IssueRef {
    const { desk } = serviceDesk(this.ops, input.serviceDesk);
    const rt = desk.requestTypes.find(
      (r) => r.id === input.requestType || r.name.toLowerCase() === input.requestType.toLowerCase(),
    );
    if (!rt)
      throw new SimulatorUsageError(
        `no request type "${input.requestType}" in service desk ${input.serviceDesk}`,
      );
    const refOf = (handle: string) => this.state.userRef(this.state.user(handle));
    return ref(
      createRequest(this.ops, this.user, {
        serviceDeskId: desk.id,
        requestTypeId: rt.id,
        requestFieldValues: {
          summary: input.summary,
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.fields ?? {}),
        },
        ...(input.onBehalfOf === undefined ? {} : { raiseOnBehalfOf: refOf(input.onBehalfOf) }),
        ...(input.participants === undefined ? {} : { requestParticipants: input.participants.map(refOf) }),
      }),
    );
  }

  /** A Service Management reply (public) or internal note, as through the agent view or the portal. */
  reply(issue: string, body: string, options: { internal?: boolean } = {}): { id: string } {
    return { id: addRequestComment(this.ops, this.user, issue, { body, public: !options.internal }).id };
  }

  addParticipants(issue: string, handles: readonly string[]): void {
    changeParticipants(
      this.ops,
      this.user,
      issue,
      handles.map((h) => this.state.userRef(this.state.user(h))),
      true,
    );
  }

  /** A portal transition (customers: "Resolve this issue", "Reopen"). */
  portalTransition(issue: string, name: string): void {
    const found = this.state.findIssue(issue);
    const workflow = found ? this.state.workflowOf(this.state.projectOf(found)) : undefined;
    const t = workflow?.transitions.find((x) => x.customer && x.name.toLowerCase() === name.toLowerCase());
    if (!t) throw new SimulatorUsageError(`no portal transition "${name}" for ${issue}`);
    customerTransition(this.ops, this.user, issue, { id: t.id });
  }
}
