import { Readable } from 'node:stream';
import type { AttachmentView } from '../../shared/sync/attachments.ts';
import type { Json } from '../../shared/sync/canonical.ts';
import type { CommentView } from '../../shared/sync/comments.ts';
import type { CreateIssueInput, FieldMeta, IssueSnapshot, SitePort } from '../../shared/sync/site-port.ts';
import type { TransitionEdge } from '../../shared/sync/status-path.ts';

/** A planned crash: the next write after `afterWrites` more writes throws, as a killed worker would stop. */
export class InjectedCrash extends Error {}

interface FakeIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  status: string;
  updated: number;
  fields: Record<string, unknown>;
  comments: CommentView[];
  attachments: (AttachmentView & { content: Buffer })[];
  property?: Json;
  /** Set when jira-sync created it; a human's issues have another creator. */
  creator?: string;
  remoteLinks: Map<string, { url: string; title: string }>;
}

export const STANDARD_FIELDS: readonly FieldMeta[] = [
  { id: 'summary', name: 'Summary', type: 'string' },
  { id: 'description', name: 'Description', type: 'string' },
  { id: 'priority', name: 'Priority', type: 'priority' },
  { id: 'labels', name: 'Labels', type: 'array', items: 'string' },
  { id: 'assignee', name: 'Assignee', type: 'user' },
  { id: 'customfield_10050', name: 'Impact', type: 'option' },
];

const WORKFLOW: ReadonlyMap<string, readonly TransitionEdge[]> = new Map([
  ['To Do', [{ id: '11', name: 'Start', to: 'In Progress' }]],
  [
    'In Progress',
    [
      { id: '21', name: 'Done', to: 'Done' },
      { id: '31', name: 'Stop', to: 'To Do' },
    ],
  ],
  ['Done', [{ id: '41', name: 'Reopen', to: 'To Do' }]],
]);

/**
 * An in-memory Jira site behind the sync engine's port: enough Jira to unit-test the engine's decisions.
 * The real client against the simulator covers the wire.
 */
export class FakeSite implements SitePort {
  readonly issues = new Map<string, FakeIssue>();
  readonly users = new Map<string, { email?: string; displayName: string }>();
  readonly flavor: 'cloud' | 'datacenter';
  readonly siteName: string;
  writes = 0;
  private crashIn: number | undefined;
  /** One clock for every fake site, so `updated` times compare across sites as Jira's do (newest-wins). */
  private static clock = 1_000;
  private nextId: number;
  private nextChild = 500;
  /** Issues created, including any a buggy engine might create twice. */
  created = 0;
  /** Issues read (`getIssue`). */
  reads = 0;

  constructor(
    readonly connectionId: string,
    options: { flavor?: 'cloud' | 'datacenter'; serviceDesk?: boolean; own?: string; firstId?: number } = {},
  ) {
    this.flavor = options.flavor ?? 'cloud';
    this.serviceDesk = options.serviceDesk ?? false;
    this.own = options.own ?? 'jira-sync';
    this.nextId = options.firstId ?? 10_000;
    this.siteName = `${connectionId}.example`;
  }

  readonly serviceDesk: boolean;
  private readonly own: string;

  /** Crash on the write after `writes` more successful writes. */
  crashAfter(writes: number | undefined): void {
    this.crashIn = writes;
  }

  private write(): void {
    if (this.crashIn !== undefined) {
      if (this.crashIn === 0) {
        this.crashIn = undefined;
        throw new InjectedCrash(`${this.connectionId}: injected crash`);
      }
      this.crashIn--;
    }
    this.writes++;
  }

  private touch(issue: FakeIssue): void {
    issue.updated = ++FakeSite.clock;
  }

  private issue(idOrKey: string): FakeIssue {
    const issue = this.issues.get(idOrKey) ?? [...this.issues.values()].find((i) => i.key === idOrKey);
    if (!issue) throw new Error(`${this.connectionId}: no issue ${idOrKey}`);
    return issue;
  }

  // --- acting as a human -------------------------------------------------------------------------------
  humanCreate(project: string, fields: Record<string, unknown>, issueType = 'Task'): FakeIssue {
    const id = String(this.nextId++);
    const issue: FakeIssue = {
      id,
      key: `${project}-${id}`,
      project,
      issueType,
      status: 'To Do',
      updated: ++FakeSite.clock,
      fields,
      comments: [],
      attachments: [],
      remoteLinks: new Map(),
    };
    this.issues.set(id, issue);
    return issue;
  }

  humanEdit(id: string, fields: Record<string, unknown>): void {
    const issue = this.issue(id);
    Object.assign(issue.fields, fields);
    this.touch(issue);
  }

  humanStatus(id: string, status: string): void {
    const issue = this.issue(id);
    issue.status = status;
    this.touch(issue);
  }

  humanComment(id: string, body: string, author = 'alice', isPublic?: boolean): string {
    const issue = this.issue(id);
    const commentId = String(this.nextChild++);
    issue.comments.push({
      id: commentId,
      body,
      author,
      authorName: author,
      ...(isPublic === undefined ? {} : { public: isPublic }),
    });
    this.touch(issue);
    return commentId;
  }

  humanDeleteComment(id: string, commentId: string): void {
    const issue = this.issue(id);
    issue.comments = issue.comments.filter((c) => c.id !== commentId);
    this.touch(issue);
  }

  humanAttach(id: string, filename: string, content: string, author = 'alice'): void {
    const issue = this.issue(id);
    const buffer = Buffer.from(content);
    issue.attachments.push({
      id: String(this.nextChild++),
      filename,
      size: buffer.length,
      author,
      content: buffer,
    });
    this.touch(issue);
  }

  /** A move to another project: new key, same id (as Jira does). */
  humanMove(id: string, project: string): void {
    const issue = this.issue(id);
    issue.project = project;
    issue.key = `${project}-${id}`;
    this.touch(issue);
  }

  humanDelete(id: string): void {
    this.issues.delete(id);
  }

  // --- the port ----------------------------------------------------------------------------------------
  async ownAccount(): Promise<string> {
    return this.own;
  }

  async fields(): Promise<readonly FieldMeta[]> {
    return STANDARD_FIELDS;
  }

  /** Every project exists with the fake workflow's statuses; service desks have two request types. */
  async describeProject() {
    return {
      issueTypes: ['Task', 'Bug'],
      statuses: [...WORKFLOW.keys(), 'Escalated'],
      ...(this.serviceDesk ? { requestTypes: ['Get IT help'] } : {}),
    };
  }

  async getIssue(idOrKey: string): Promise<IssueSnapshot | undefined> {
    this.reads++;
    const issue = this.issues.get(idOrKey) ?? [...this.issues.values()].find((i) => i.key === idOrKey);
    if (!issue) return undefined;
    return {
      id: issue.id,
      key: issue.key,
      projectKey: issue.project,
      issueType: issue.issueType,
      status: issue.status,
      updated: issue.updated,
      fields: structuredClone(issue.fields),
      comments: issue.comments.map((c) => ({ ...c })),
      attachments: issue.attachments.map(({ content: _content, ...a }) => a),
      ...(issue.property === undefined ? {} : { syncProperty: issue.property }),
    };
  }

  async createIssue(input: CreateIssueInput): Promise<{ id: string; key: string }> {
    this.write();
    const issue = this.humanCreate(
      input.project,
      { ...input.fields },
      input.issueType ?? input.requestType ?? 'Task',
    );
    issue.creator = this.own;
    this.created++;
    // As on Jira: a request is raised first, and its marker set by a second call (a crash can fall between).
    if (input.requestType) this.write();
    issue.property = input.syncProperty;
    return { id: issue.id, key: issue.key };
  }

  async markIssue(issueId: string, syncProperty: Json): Promise<void> {
    this.write();
    this.issue(issueId).property = syncProperty;
  }

  /** Every issue of the project: the fake's clock is not wall time, and the engine matches by intent. */
  async findRecentlyUpdated(project: string) {
    return [...this.issues.values()]
      .filter((i) => i.project === project)
      .map((i) => ({
        id: i.id,
        key: i.key,
        ...(i.property === undefined ? {} : { syncProperty: i.property }),
        ...(i.creator === undefined ? {} : { creator: i.creator }),
        ...(typeof i.fields.summary === 'string' ? { summary: i.fields.summary } : {}),
      }));
  }

  /** Understands the engine's JQL just enough: `project = "X"`, and `id = N AND (status = "S")`. */
  async *searchIssueStates(jql: string): AsyncIterable<{ id: string; updated: number }> {
    const project = /project = "([^"]+)"/.exec(jql)?.[1];
    const id = /^id = (\d+)/.exec(jql)?.[1];
    const status = /status = "?([^")]+)"?/.exec(jql)?.[1];
    for (const issue of this.issues.values()) {
      if (project !== undefined && issue.project !== project) continue;
      if (id !== undefined && issue.id !== id) continue;
      if (status !== undefined && issue.status !== status) continue;
      yield { id: issue.id, updated: issue.updated };
    }
  }

  async editIssue(issueId: string, fields: Readonly<Record<string, unknown>>): Promise<void> {
    this.write();
    const issue = this.issue(issueId);
    Object.assign(issue.fields, fields);
    this.touch(issue);
  }

  async transitions(issueId: string): Promise<readonly TransitionEdge[]> {
    return WORKFLOW.get(this.issue(issueId).status) ?? [];
  }

  async transition(issueId: string, transitionId: string): Promise<void> {
    this.write();
    const issue = this.issue(issueId);
    const edge = (WORKFLOW.get(issue.status) ?? []).find((t) => t.id === transitionId);
    if (!edge)
      throw new Error(`${this.connectionId}: transition ${transitionId} not available from ${issue.status}`);
    issue.status = edge.to;
    this.touch(issue);
  }

  async addComment(
    issueId: string,
    body: string,
    options: { public?: boolean; copyOf: { side: 'source' | 'target'; id: string } },
  ): Promise<{ id: string }> {
    this.write();
    const issue = this.issue(issueId);
    const id = String(this.nextChild++);
    issue.comments.push({
      id,
      body,
      author: this.own,
      authorName: 'jira-sync',
      copyOf: options.copyOf,
      ...(options.public === undefined ? {} : { public: options.public }),
    });
    this.touch(issue);
    return { id };
  }

  async editComment(issueId: string, commentId: string, body: string): Promise<void> {
    this.write();
    const issue = this.issue(issueId);
    const comment = issue.comments.find((c) => c.id === commentId);
    if (comment) Object.assign(comment, { body });
    this.touch(issue);
  }

  async deleteComment(issueId: string, commentId: string): Promise<void> {
    this.write();
    const issue = this.issue(issueId);
    issue.comments = issue.comments.filter((c) => c.id !== commentId);
    this.touch(issue);
  }

  async downloadAttachment(attachment: { id: string }): Promise<Readable> {
    for (const issue of this.issues.values()) {
      const found = issue.attachments.find((a) => a.id === attachment.id);
      if (found) return Readable.from([found.content]);
    }
    throw new Error(`${this.connectionId}: no attachment ${attachment.id}`);
  }

  async uploadAttachment(issueId: string, filename: string, content: Readable): Promise<{ id: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(Buffer.from(chunk as Uint8Array));
    this.write();
    const issue = this.issue(issueId);
    const buffer = Buffer.concat(chunks);
    const id = String(this.nextChild++);
    issue.attachments.push({ id, filename, size: buffer.length, author: this.own, content: buffer });
    this.touch(issue);
    return { id };
  }

  async deleteAttachment(attachmentId: string): Promise<void> {
    this.write();
    for (const issue of this.issues.values()) {
      issue.attachments = issue.attachments.filter((a) => a.id !== attachmentId);
    }
  }

  async findUserByEmail(email: string): Promise<string | undefined> {
    return [...this.users].find(([, u]) => u.email === email)?.[0];
  }

  readonly issueLinks: { outward: string; inward: string; type: string }[] = [];

  async linkIssues(outwardIssueId: string, inwardIssueId: string, type: string): Promise<void> {
    this.write();
    this.issueLinks.push({ outward: outwardIssueId, inward: inwardIssueId, type });
  }

  async upsertRemoteLink(
    issueId: string,
    link: { globalId: string; url: string; title: string },
  ): Promise<void> {
    this.write();
    this.issue(issueId).remoteLinks.set(link.globalId, { url: link.url, title: link.title });
  }

  issueUrl(key: string): string {
    return `https://${this.siteName}/browse/${key}`;
  }

  /** The raw stored issue, for assertions. */
  raw(idOrKey: string): FakeIssue {
    return this.issue(idOrKey);
  }
}
