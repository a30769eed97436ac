import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as z from 'zod';
import type { Connection } from '../config/schema.ts';
import type { JiraClient } from '../jira/client.ts';
import { JiraNotFoundError } from '../jira/errors.ts';
import { addAttachment, deleteAttachment, downloadAttachment } from '../jira/platform/attachments.ts';
import { addComment, deleteComment, listComments, updateComment } from '../jira/platform/comments.ts';
import { linkIssues } from '../jira/platform/issue-links.ts';
import { createIssue, editIssue, getIssue } from '../jira/platform/issues.ts';
import { getFields, getProjectStatuses } from '../jira/platform/projects.ts';
import { upsertRemoteLink } from '../jira/platform/remote-links.ts';
import { searchIssues } from '../jira/platform/search.ts';
import { getMyself } from '../jira/platform/server.ts';
import { doTransition, getTransitions } from '../jira/platform/transitions.ts';
import { findUserByEmail } from '../jira/platform/users.ts';
import type { EntityProperty, JiraUser } from '../jira/schemas.ts';
import { createRequest } from '../jira/servicedesk/requests.ts';
import { listRequestTypes, listServiceDesks } from '../jira/servicedesk/service-desks.ts';
import type { AttachmentView } from './attachments.ts';
import type { Json } from './canonical.ts';
import type { CommentView } from './comments.ts';
import { FlowMisconfigured } from './errors.ts';
import { parseJiraTime } from './jira-dates.ts';
import type {
  CreateIssueInput,
  FieldMeta,
  IssueSnapshot,
  ProjectDescription,
  RecentIssue,
  SitePort,
} from './site-port.ts';
import type { TransitionEdge } from './status-path.ts';

/** Issue and comment property jira-sync writes: where a copy or a created issue came from. */
export const SYNC_PROPERTY = 'jira-sync';
/** JSM's comment visibility property (Cloud and Data Center): `{internal: true}` for an internal note. */
const JSM_VISIBILITY_PROPERTY = 'sd.public.comment';
const FIELDS_TTL_MS = 10 * 60_000;

const copyOfSchema = z.object({ copyOf: z.object({ side: z.enum(['source', 'target']), id: z.string() }) });
const named = z.looseObject({ name: z.string() });
const snapshotFieldsSchema = z.looseObject({
  project: z.looseObject({ key: z.string() }),
  issuetype: named,
  status: named,
  updated: z.string(),
  attachment: z
    .array(
      z.looseObject({
        id: z.union([z.string(), z.number()]).transform(String),
        filename: z.string(),
        size: z.number().default(0),
        author: z.looseObject({ accountId: z.string().optional(), name: z.string().optional() }).optional(),
      }),
    )
    .default([]),
});

const recentFieldsSchema = z.looseObject({
  summary: z.string().optional(),
  description: z.string().nullish(),
  created: z.string().optional(),
  creator: z.looseObject({ accountId: z.string().optional(), name: z.string().optional() }).nullish(),
});

/** A `SitePort` over the Jira client: REST v2 on Cloud and Data Center alike. */
export class JiraSite implements SitePort {
  readonly connectionId: string;
  readonly flavor: Connection['flavor'];
  readonly serviceDesk: boolean;
  readonly siteName: string;
  private own: Promise<string> | undefined;
  private fieldCache: { at: number; fields: Promise<readonly FieldMeta[]> } | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly client: JiraClient,
    private readonly now: () => number = Date.now,
  ) {
    this.connectionId = connection.id;
    this.flavor = connection.flavor;
    this.serviceDesk = connection.serviceManagement;
    this.siteName = new URL(connection.baseUrl).host;
  }

  private userId(user: JiraUser | undefined): string {
    return (this.flavor === 'cloud' ? user?.accountId : user?.name) ?? '';
  }

  ownAccount(): Promise<string> {
    const configured =
      this.flavor === 'cloud'
        ? this.connection.integrationAccount?.accountId
        : this.connection.integrationAccount?.username;
    this.own ??= configured
      ? Promise.resolve(configured)
      : getMyself(this.client).then((me) => this.userId(me));
    return this.own;
  }

  fields(): Promise<readonly FieldMeta[]> {
    if (!this.fieldCache || this.now() - this.fieldCache.at > FIELDS_TTL_MS) {
      const fields = getFields(this.client).then((list) =>
        list.map((f) => {
          const schema = (f.schema ?? {}) as { type?: string; items?: unknown };
          return {
            id: f.id,
            name: f.name,
            type: schema.type ?? 'any',
            ...(typeof schema.items === 'string' ? { items: schema.items } : {}),
          };
        }),
      );
      this.fieldCache = { at: this.now(), fields };
      fields.catch(() => {
        this.fieldCache = undefined;
      });
    }
    return this.fieldCache.fields;
  }

  async describeProject(projectKey: string): Promise<ProjectDescription | undefined> {
    let statuses: Awaited<ReturnType<typeof getProjectStatuses>>;
    try {
      statuses = await getProjectStatuses(this.client, projectKey);
    } catch (error) {
      if (error instanceof JiraNotFoundError) return undefined;
      throw error;
    }
    const description = {
      issueTypes: statuses.map((t) => t.name),
      statuses: [...new Set(statuses.flatMap((t) => t.statuses.map((s) => s.name)))],
    };
    if (!this.serviceDesk) return description;
    const desk = (await listServiceDesks(this.client)).find((d) => d.projectKey === projectKey);
    if (!desk) return description;
    const requestTypes = (await listRequestTypes(this.client, desk.id)).map((t) => t.name);
    return { ...description, requestTypes };
  }

  async getIssue(issueIdOrKey: string): Promise<IssueSnapshot | undefined> {
    let issue: Awaited<ReturnType<typeof getIssue>>;
    try {
      issue = await getIssue(this.client, issueIdOrKey, { properties: [SYNC_PROPERTY] });
    } catch (error) {
      if (error instanceof JiraNotFoundError) return undefined;
      throw error;
    }
    const fields = snapshotFieldsSchema.parse(issue.fields);
    const comments: CommentView[] = [];
    for await (const comment of listComments(this.client, issue.id)) {
      const marker = copyOfSchema.safeParse(comment.properties?.find((p) => p.key === SYNC_PROPERTY)?.value);
      comments.push({
        id: comment.id,
        body: typeof comment.body === 'string' ? comment.body : '',
        author: this.userId(comment.author),
        authorName: comment.author?.displayName ?? this.userId(comment.author),
        ...(this.serviceDesk && comment.jsdPublic !== undefined ? { public: comment.jsdPublic } : {}),
        ...(marker.success ? { copyOf: marker.data.copyOf } : {}),
      });
    }
    const attachments: AttachmentView[] = fields.attachment.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.size,
      author: (this.flavor === 'cloud' ? a.author?.accountId : a.author?.name) ?? '',
    }));
    const syncProperty = issue.properties?.[SYNC_PROPERTY];
    return {
      id: issue.id,
      key: issue.key,
      projectKey: fields.project.key,
      issueType: fields.issuetype.name,
      status: fields.status.name,
      updated: parseJiraTime(fields.updated) ?? 0,
      fields: issue.fields,
      comments,
      attachments,
      ...(syncProperty === undefined ? {} : { syncProperty: syncProperty as Json }),
    };
  }

  async createIssue(input: CreateIssueInput): Promise<{ id: string; key: string }> {
    const property: EntityProperty = { key: SYNC_PROPERTY, value: input.syncProperty };
    if (input.requestType) return this.createRequest(input);
    const created = await createIssue(this.client, {
      fields: { ...input.fields, project: { key: input.project }, issuetype: { name: input.issueType } },
      properties: [property],
    });
    return { id: created.id, key: created.key };
  }

  /** A JSM target is raised as a customer request (SLAs, queues), then edited with the remaining fields. */
  private async createRequest(input: CreateIssueInput): Promise<{ id: string; key: string }> {
    const desk = (await listServiceDesks(this.client)).find((d) => d.projectKey === input.project);
    if (!desk)
      throw new FlowMisconfigured(`${this.connectionId}: project ${input.project} is not a service desk`);
    const wanted = (input.requestType ?? '').toLowerCase();
    const type = (await listRequestTypes(this.client, desk.id)).find((t) => t.name.toLowerCase() === wanted);
    if (!type) {
      throw new FlowMisconfigured(
        `${this.connectionId}: service desk ${input.project} has no request type "${input.requestType}"`,
      );
    }
    const { summary, description, ...rest } = input.fields;
    const created = await createRequest(this.client, {
      serviceDeskId: desk.id,
      requestTypeId: type.id,
      requestFieldValues: { summary: summary ?? '(no summary)', ...(description ? { description } : {}) },
    });
    // The request API takes no properties: set the marker (and the other fields) right after.
    await editIssue(this.client, created.issueId, {
      fields: rest,
      properties: [{ key: SYNC_PROPERTY, value: input.syncProperty }],
    });
    return { id: created.issueId, key: created.issueKey };
  }

  async findRecentlyUpdated(project: string, since: number): Promise<RecentIssue[]> {
    const minutes = Math.max(1, Math.ceil((this.now() - since) / 60_000));
    const found: RecentIssue[] = [];
    const jql = `project = "${project.replaceAll('"', '\\"')}" AND updated >= -${minutes}m ORDER BY updated DESC`;
    for await (const issue of searchIssues(this.client, {
      jql,
      fields: ['key', 'summary', 'description', 'created', 'creator'],
      properties: [SYNC_PROPERTY],
    })) {
      const property = issue.properties?.[SYNC_PROPERTY];
      const fields = recentFieldsSchema.safeParse(issue.fields);
      const creator = fields.success && fields.data.creator ? this.userId(fields.data.creator) : '';
      const created = fields.success ? parseJiraTime(fields.data.created) : undefined;
      found.push({
        id: issue.id,
        key: issue.key,
        ...(property === undefined ? {} : { syncProperty: property as Json }),
        ...(creator ? { creator } : {}),
        ...(created === undefined ? {} : { created }),
        ...(fields.success && fields.data.summary !== undefined ? { summary: fields.data.summary } : {}),
        ...(fields.success && fields.data.description !== undefined
          ? { description: fields.data.description ?? '' }
          : {}),
      });
    }
    return found;
  }

  async markIssue(issueId: string, syncProperty: Json): Promise<void> {
    await editIssue(this.client, issueId, { properties: [{ key: SYNC_PROPERTY, value: syncProperty }] });
  }

  async *searchIssueStates(jql: string): AsyncIterable<{ id: string; updated?: number }> {
    for await (const issue of searchIssues(this.client, { jql, fields: ['updated'] })) {
      const updated = parseJiraTime(issue.fields.updated);
      yield updated === undefined ? { id: issue.id } : { id: issue.id, updated };
    }
  }

  async editIssue(issueId: string, fields: Readonly<Record<string, unknown>>): Promise<void> {
    await editIssue(this.client, issueId, { fields });
  }

  async transitions(issueId: string): Promise<readonly TransitionEdge[]> {
    return (await getTransitions(this.client, issueId)).map((t) => ({
      id: t.id,
      name: t.name,
      to: t.to.name,
    }));
  }

  async transition(issueId: string, transitionId: string): Promise<void> {
    await doTransition(this.client, issueId, { transitionId });
  }

  async addComment(
    issueId: string,
    body: string,
    options: {
      readonly public?: boolean;
      readonly copyOf: { readonly side: 'source' | 'target'; readonly id: string };
    },
  ): Promise<{ id: string }> {
    const properties: EntityProperty[] = [{ key: SYNC_PROPERTY, value: { copyOf: options.copyOf } }];
    if (this.serviceDesk && options.public !== undefined) {
      properties.push({ key: JSM_VISIBILITY_PROPERTY, value: { internal: !options.public } });
    }
    const comment = await addComment(this.client, issueId, { body, properties });
    return { id: comment.id };
  }

  async editComment(issueId: string, commentId: string, body: string): Promise<void> {
    await updateComment(this.client, issueId, commentId, { body });
  }

  async deleteComment(issueId: string, commentId: string): Promise<void> {
    try {
      await deleteComment(this.client, issueId, commentId);
    } catch (error) {
      // Already gone is what we wanted.
      if (!(error instanceof JiraNotFoundError)) throw error;
    }
  }

  async downloadAttachment(attachment: Pick<AttachmentView, 'id' | 'filename'>): Promise<Readable> {
    const download = await downloadAttachment(this.client, attachment);
    return Readable.fromWeb(download.body as NodeReadableStream<Uint8Array>);
  }

  async uploadAttachment(issueId: string, filename: string, content: Readable): Promise<{ id: string }> {
    const [uploaded] = await addAttachment(this.client, issueId, { filename, content });
    if (!uploaded)
      throw new Error(`${this.connectionId}: Jira accepted ${filename} but returned no attachment`);
    return { id: uploaded.id };
  }

  async deleteAttachment(attachmentId: string): Promise<void> {
    try {
      await deleteAttachment(this.client, attachmentId);
    } catch (error) {
      if (!(error instanceof JiraNotFoundError)) throw error;
    }
  }

  async findUserByEmail(email: string): Promise<string | undefined> {
    const user = await findUserByEmail(this.client, email);
    return user ? this.userId(user) || undefined : undefined;
  }

  async linkIssues(outwardIssueId: string, inwardIssueId: string, type: string): Promise<void> {
    await linkIssues(this.client, { type, outwardIssue: outwardIssueId, inwardIssue: inwardIssueId });
  }

  async upsertRemoteLink(
    issueId: string,
    link: { globalId: string; url: string; title: string },
  ): Promise<void> {
    await upsertRemoteLink(this.client, issueId, {
      globalId: link.globalId,
      application: { type: 'jira-sync', name: 'jira-sync' },
      relationship: 'synced with',
      object: { url: link.url, title: link.title },
    });
  }

  issueUrl(key: string): string {
    return `${this.connection.baseUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(key)}`;
  }
}
