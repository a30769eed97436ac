import { createHash } from 'node:crypto';
import { SimulatorUsageError } from '../errors.ts';
import {
  DEFAULT_PRIORITY,
  issueTypes,
  LINK_TYPES,
  PRIORITIES,
  RESOLUTIONS,
  SERVICE_DESK_WORKFLOW,
  SOFTWARE_WORKFLOW,
  STATUSES,
  WORKFLOWS,
} from './catalog.ts';
import { DEFAULT_CUSTOM_FIELDS, type ParsedSiteSeed } from './seed.ts';
import {
  type Attachment,
  type CustomField,
  type Flavour,
  type Issue,
  type IssueLink,
  type IssueLinkType,
  type IssueType,
  PROJECT_PERMISSIONS,
  type Priority,
  type Project,
  type ProjectPermission,
  type RequestType,
  type Resolution,
  type Status,
  type User,
  type Workflow,
} from './types.ts';

type IdKind =
  | 'issue'
  | 'comment'
  | 'attachment'
  | 'link'
  | 'remoteLink'
  | 'history'
  | 'worklog'
  | 'project'
  | 'field'
  | 'issueType'
  | 'priority'
  | 'linkType'
  | 'requestType'
  | 'user'
  | 'webhook'
  | 'temporary';

export interface TemporaryAttachment {
  readonly id: string;
  readonly serviceDeskId: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly content: Buffer;
  readonly user: string;
}

/** Everything a site holds, with the lookups the REST layer and the programmatic API share. */
export class SiteState {
  readonly users = new Map<string, User>();
  readonly projects = new Map<string, Project>();
  readonly issueTypes = new Map<string, IssueType>();
  readonly statuses = new Map<string, Status>();
  readonly workflows = new Map<string, Workflow>();
  readonly priorities = new Map<string, Priority>();
  readonly resolutions = new Map<string, Resolution>();
  readonly customFields = new Map<string, CustomField>();
  readonly linkTypes = new Map<string, IssueLinkType>();
  readonly issues = new Map<string, Issue>();
  readonly issueIdByKey = new Map<string, string>();
  readonly attachments = new Map<string, Attachment>();
  readonly links = new Map<string, IssueLink>();
  readonly temporaryAttachments = new Map<string, TemporaryAttachment>();
  readonly defaultPriority = DEFAULT_PRIORITY;
  private readonly counters = new Map<IdKind, number>();

  constructor(
    readonly flavour: Flavour,
    /** Ids of this site start here, so two sites never share issue or comment ids (as real sites don't). */
    readonly idBase: number,
  ) {}

  /** The next id of a kind; `taken` skips ids the seed already uses (projects, issue types, link types). */
  nextId(kind: IdKind, taken: (id: string) => boolean = () => false): string {
    let next = this.counters.get(kind) ?? this.idBase;
    do next++;
    while (taken(String(next)));
    this.counters.set(kind, next);
    return String(next);
  }

  user(handle: string): User {
    const user = this.users.get(handle);
    if (!user) throw new SimulatorUsageError(`no user "${handle}" on this site`);
    return user;
  }

  findUser(ref: { accountId?: string; name?: string; key?: string; email?: string }): User | undefined {
    for (const user of this.users.values()) {
      if (ref.accountId !== undefined && user.accountId === ref.accountId) return user;
      if (ref.name !== undefined && user.name === ref.name) return user;
      if (ref.key !== undefined && user.key === ref.key) return user;
      if (ref.email !== undefined && user.email.toLowerCase() === ref.email.toLowerCase()) return user;
    }
    return undefined;
  }

  /** The id a REST caller uses for this user: accountId on Cloud, username on Data Center. */
  userRef(user: User): string {
    return (this.flavour === 'cloud' ? user.accountId : user.name) ?? user.handle;
  }

  findProject(idOrKey: string): Project | undefined {
    const byId = this.projects.get(idOrKey);
    if (byId && !byId.deleted) return byId;
    for (const p of this.projects.values()) if (!p.deleted && p.key === idOrKey.toUpperCase()) return p;
    return undefined;
  }

  project(idOrKey: string): Project {
    const project = this.findProject(idOrKey);
    if (!project) throw new SimulatorUsageError(`no project "${idOrKey}" on this site`);
    return project;
  }

  findIssue(idOrKey: string): Issue | undefined {
    const id = /^\d+$/.test(idOrKey) ? idOrKey : this.issueIdByKey.get(idOrKey.toUpperCase());
    return id === undefined ? undefined : this.issues.get(id);
  }

  status(id: string): Status {
    const status = this.statuses.get(id);
    if (!status) throw new SimulatorUsageError(`no status ${id}`);
    return status;
  }

  workflowOf(project: Project): Workflow {
    const workflow = this.workflows.get(project.workflowId);
    if (!workflow) throw new SimulatorUsageError(`project ${project.key} has no workflow`);
    return workflow;
  }

  projectOf(issue: Issue): Project {
    const project = this.projects.get(issue.projectId);
    if (!project) throw new SimulatorUsageError(`issue ${issue.key} has no project`);
    return project;
  }

  requestType(issue: Issue): RequestType | undefined {
    if (issue.requestTypeId === null) return undefined;
    return this.projectOf(issue).serviceDesk?.requestTypes.find((r) => r.id === issue.requestTypeId);
  }

  hasPermission(user: User, project: Project, permission: ProjectPermission): boolean {
    if (!user.active || project.deleted) return false;
    return project.permissions.get(user.handle)?.has(permission) ?? false;
  }

  isCustomerOf(user: User, project: Project): boolean {
    return project.serviceDesk?.customers.has(user.handle) ?? false;
  }

  visibleIssue(user: User, issue: Issue): boolean {
    return this.hasPermission(user, this.projectOf(issue), 'BROWSE_PROJECTS');
  }

  /** Service Management portal access: the reporter or a participant who is a customer of the desk. */
  portalCanSee(user: User, issue: Issue): boolean {
    const project = this.projectOf(issue);
    if (this.hasPermission(user, project, 'SERVICEDESK_AGENT')) return true;
    if (!project.serviceDesk || !this.isCustomerOf(user, project)) return false;
    return issue.reporter === user.handle || issue.participants.includes(user.handle);
  }

  addAttachment(attachment: Attachment): void {
    this.attachments.set(attachment.id, attachment);
  }
}

function stableHex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function accountIdFor(handle: string, siteId: string): string {
  const h = stableHex(`${siteId}:${handle}`, 32);
  return `712020:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function grant(level: 'all' | 'read-only' | 'agent' | readonly ProjectPermission[]): Set<ProjectPermission> {
  if (level === 'read-only') return new Set(['BROWSE_PROJECTS']);
  if (level === 'all') return new Set(PROJECT_PERMISSIONS.filter((p) => p !== 'SERVICEDESK_AGENT'));
  if (level === 'agent') return new Set(PROJECT_PERMISSIONS);
  return new Set(level);
}

/** Builds a site's state from a parsed seed. Throws `SimulatorUsageError` naming what does not fit. */
export function buildState(
  flavour: Flavour,
  seed: ParsedSiteSeed,
  siteId: string,
  idBase: number,
): SiteState {
  const state = new SiteState(flavour, idBase);
  for (const s of STATUSES) state.statuses.set(s.id, s);
  for (const w of WORKFLOWS) state.workflows.set(w.id, w);
  for (const p of PRIORITIES) state.priorities.set(p.id, { ...p });
  for (const r of RESOLUTIONS) state.resolutions.set(r.id, r);
  for (const l of LINK_TYPES) state.linkTypes.set(l.id, { ...l });
  const types = issueTypes(flavour);
  for (const t of [...types.software, ...types.serviceDesk]) state.issueTypes.set(t.id, { ...t });

  let userNumber = 10100;
  for (const u of seed.users) {
    if (state.users.has(u.handle)) throw new SimulatorUsageError(`duplicate user handle "${u.handle}"`);
    const cloud = flavour === 'cloud';
    const user: User = {
      handle: u.handle,
      ...(cloud ? { accountId: u.accountId ?? accountIdFor(u.handle, siteId) } : {}),
      ...(cloud ? {} : { name: u.handle, key: u.key ?? `JIRAUSER${userNumber++}` }),
      displayName: u.displayName,
      email: u.email,
      // Data Center always shows e-mail addresses to those who may browse users.
      emailVisible: cloud ? u.emailVisible : true,
      timeZone: u.timeZone,
      accountType: cloud ? u.accountType : 'atlassian',
      active: true,
      admin: u.admin,
      apiTokens: [...u.apiTokens],
      ...(u.password === undefined ? {} : { password: u.password }),
      pats: [...u.pats],
    };
    state.users.set(user.handle, user);
  }

  const fieldBase = flavour === 'cloud' ? 10059 : 10199;
  (seed.customFields ?? DEFAULT_CUSTOM_FIELDS.map((f) => ({ description: '', options: [], ...f }))).forEach(
    (f, i) => {
      const numericId = fieldBase + i + 1;
      const field: CustomField = {
        id: `customfield_${numericId}`,
        numericId,
        name: f.name,
        description: f.description ?? '',
        type: f.type,
        options: (f.options ?? []).map((value, j) => ({ id: String(numericId * 10 + j), value })),
      };
      state.customFields.set(field.id, field);
    },
  );

  let projectId = flavour === 'cloud' ? 10000 : 10100;
  let serviceDeskId = 1;
  let requestTypeId = 10;
  for (const p of seed.projects) {
    if (state.findProject(p.key)) throw new SimulatorUsageError(`duplicate project key ${p.key}`);
    if (!state.users.has(p.lead))
      throw new SimulatorUsageError(`project ${p.key}: lead "${p.lead}" is not a user`);
    const serviceDesk = p.type === 'service_desk';
    const typeIds = (serviceDesk ? types.serviceDesk : types.software).map((t) => t.id);
    const permissions = new Map<string, Set<ProjectPermission>>();
    const grants =
      p.permissions ??
      Object.fromEntries(
        [...state.users.values()]
          .filter((u) => u.accountType !== 'customer')
          .map((u) => [u.handle, serviceDesk ? 'agent' : 'all'] as const),
      );
    for (const [who, level] of Object.entries(grants)) {
      if (!state.users.has(who))
        throw new SimulatorUsageError(`project ${p.key}: permissions name unknown user "${who}"`);
      permissions.set(who, grant(level));
    }
    const id = p.id ?? String(projectId++);
    const project: Project = {
      id,
      key: p.key,
      name: p.name,
      description: p.description,
      type: p.type,
      lead: p.lead,
      issueTypeIds: typeIds,
      workflowId: serviceDesk ? SERVICE_DESK_WORKFLOW : SOFTWARE_WORKFLOW,
      permissions,
      nextNumber: 1,
      deleted: false,
    };
    if (serviceDesk) {
      const sd = p.serviceDesk ?? { customers: [] };
      for (const c of sd.customers) {
        if (!state.users.has(c))
          throw new SimulatorUsageError(`project ${p.key}: customer "${c}" is not a user`);
      }
      const defaultTypes: {
        id?: string;
        name: string;
        description: string;
        helpText: string;
        issueType?: string;
        extraFields: string[];
      }[] = [
        {
          name: 'Get IT help',
          description: 'Get assistance for general IT problems and questions.',
          helpText: 'Tell us what is going on and we will get back to you.',
          extraFields: [] as string[],
        },
        {
          name: 'Report a system problem',
          description: 'Let us know if something is not working properly.',
          helpText: '',
          issueType: types.serviceDesk[1]?.name,
          extraFields: [...state.customFields.values()]
            .filter((f) => f.type === 'select')
            .map((f) => f.id)
            .slice(0, 1),
        },
      ];
      const requestTypes: RequestType[] = (sd.requestTypes ?? defaultTypes).map((rt) => {
        const issueType = rt.issueType
          ? types.serviceDesk.find((t) => t.name === rt.issueType)
          : types.serviceDesk[0];
        if (!issueType)
          throw new SimulatorUsageError(
            `project ${p.key}: request type "${rt.name}" names an unknown issue type`,
          );
        for (const f of rt.extraFields ?? []) {
          if (!state.customFields.has(f))
            throw new SimulatorUsageError(`request type "${rt.name}": unknown field ${f}`);
        }
        return {
          id: rt.id ?? String(requestTypeId++),
          name: rt.name,
          description: rt.description ?? '',
          helpText: rt.helpText ?? '',
          issueTypeId: issueType.id,
          fields: [
            { fieldId: 'summary', name: 'Summary', required: true },
            { fieldId: 'description', name: 'Description', required: false },
            ...(rt.extraFields ?? []).map((f) => ({
              fieldId: f,
              name: state.customFields.get(f)?.name ?? f,
              required: false,
            })),
          ],
        };
      });
      project.serviceDesk = {
        id: sd.id ?? String(serviceDeskId++),
        projectId: id,
        requestTypes,
        customers: new Set(sd.customers),
      };
    }
    state.projects.set(id, project);
  }
  return state;
}

export function priorityOrDefault(state: SiteState, id: string | null): Priority | undefined {
  return id === null ? undefined : state.priorities.get(id);
}
