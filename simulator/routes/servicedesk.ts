import * as z from 'zod';
import { JiraError } from '../errors.ts';
import { json, noContent } from '../http/reply.ts';
import { intParam, listParam, parseBody, type Route, type RouteContext } from '../http/route.ts';
import { dateDto } from '../model/dates.ts';
import { availableTransitions } from '../model/issue-ops.ts';
import {
  addRequestComment,
  attachToRequest,
  canUseDesk,
  changeCustomers,
  changeParticipants,
  createCustomer,
  createRequest,
  customerTransition,
  isAgent,
  requestComments,
  requestTypeOf,
  serviceDesk,
  viewRequest,
} from '../model/jsm-ops.ts';
import {
  attachmentDto,
  commentDto,
  customerRequestDto,
  paged,
  requestTypeDto,
  requestTypeFieldsDto,
  serviceDeskDto,
  statusHistory,
  userDto,
} from '../model/jsm-render.ts';
import { requireNoCheck, uploadedFiles } from './attachments.ts';

/** Jira Service Management's REST API (`/rest/servicedeskapi`), paged with start/limit. */

function page<T>(c: RouteContext, all: readonly T[]): { start: number; limit: number; values: T[] } {
  const start = intParam(c.query, 'start', 0);
  const limit = intParam(c.query, 'limit', 50, 100);
  return { start, limit, values: all.slice(start, start + limit) };
}

function pagedReply<T>(c: RouteContext, path: string, all: readonly T[], map: (t: T) => unknown) {
  const { start, limit, values } = page(c, all);
  return json(200, paged(c.render, path, values.map(map), start, limit, all.length));
}

function desk(c: RouteContext) {
  const found = serviceDesk(c.ops, c.params.serviceDeskId ?? '');
  if (!canUseDesk(c.ops, c.actor, found.project))
    throw JiraError.notFound(`Service desk ${c.params.serviceDeskId ?? ''} does not exist.`);
  return found;
}

function agentDesk(c: RouteContext) {
  const found = desk(c);
  if (!isAgent(c.ops, c.actor, found.project))
    throw JiraError.forbidden('You must be an agent of this service desk.');
  return found;
}

const usersSchema = z.looseObject({
  accountIds: z.array(z.string()).optional(),
  usernames: z.array(z.string()).optional(),
});
const refsOf = (input: z.output<typeof usersSchema>) => [
  ...(input.accountIds ?? []),
  ...(input.usernames ?? []),
];

const requestSchema = z.looseObject({
  serviceDeskId: z.union([z.string(), z.number()]).transform(String),
  requestTypeId: z.union([z.string(), z.number()]).transform(String),
  requestFieldValues: z.record(z.string(), z.unknown()).default({}),
  raiseOnBehalfOf: z.string().optional(),
  requestParticipants: z.array(z.string()).optional(),
});

const commentSchema = z.looseObject({
  body: z.string().min(1, 'The comment body is required.'),
  public: z.boolean().default(true),
});

function expandOf(c: RouteContext): Set<string> {
  return new Set(listParam(c.query, 'expand'));
}

export const serviceDeskRoutes: Route[] = [
  {
    method: 'GET',
    path: '/info',
    api: 'servicedesk',
    handler: (c) =>
      json(200, {
        version: c.site.flavour === 'cloud' ? '10.4.0-OD-003' : '5.12.15',
        platformVersion: c.site.flavour === 'cloud' ? '1001.0.0-SNAPSHOT' : '9.12.15',
        buildDate: dateDto(Date.UTC(2025, 2, 3)),
        buildChangeSet: 'jira-simulator',
        isLicensedForUse: true,
        _links: { self: `${c.render.base}/rest/servicedeskapi/info` },
      }),
  },
  {
    method: 'GET',
    path: '/servicedesk',
    api: 'servicedesk',
    handler: (c) => {
      const desks = [...c.site.state.projects.values()].filter(
        (p) => !p.deleted && p.serviceDesk && canUseDesk(c.ops, c.actor, p),
      );
      return pagedReply(c, 'servicedesk', desks, (p) =>
        serviceDeskDto(c.render, p, p.serviceDesk as NonNullable<typeof p.serviceDesk>),
      );
    },
  },
  {
    method: 'GET',
    path: '/servicedesk/{serviceDeskId}',
    api: 'servicedesk',
    handler: (c) => {
      const { desk: d, project } = desk(c);
      return json(200, serviceDeskDto(c.render, project, d));
    },
  },
  {
    method: 'GET',
    path: '/servicedesk/{serviceDeskId}/requesttype',
    api: 'servicedesk',
    handler: (c) => {
      const { desk: d } = desk(c);
      const q = c.query.get('searchQuery')?.toLowerCase();
      const types = d.requestTypes.filter((rt) => !q || rt.name.toLowerCase().includes(q));
      return pagedReply(c, `servicedesk/${d.id}/requesttype`, types, (rt) => requestTypeDto(c.render, d, rt));
    },
  },
  {
    method: 'POST',
    path: '/servicedesk/{serviceDeskId}/requesttype',
    api: 'servicedesk',
    handler: (c) => {
      const { desk: d, project } = agentDesk(c);
      const input = parseBody(
        z.looseObject({
          name: z.string().min(1),
          issueTypeId: z.string(),
          description: z.string().default(''),
          helpText: z.string().default(''),
        }),
        c.body,
      );
      if (!project.issueTypeIds.includes(input.issueTypeId))
        throw JiraError.badRequest(`Issue type ${input.issueTypeId} is not valid for this service desk.`);
      const rt = {
        id: c.site.state.nextId('requestType'),
        name: input.name,
        description: input.description,
        helpText: input.helpText,
        issueTypeId: input.issueTypeId,
        fields: [
          { fieldId: 'summary', name: 'Summary', required: true },
          { fieldId: 'description', name: 'Description', required: false },
        ],
      };
      d.requestTypes.push(rt);
      return json(200, requestTypeDto(c.render, d, rt));
    },
  },
  {
    method: 'GET',
    path: '/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}',
    api: 'servicedesk',
    handler: (c) => {
      const { desk: d } = desk(c);
      return json(200, requestTypeDto(c.render, d, requestTypeOf(d, c.params.requestTypeId ?? '')));
    },
  },
  {
    method: 'DELETE',
    path: '/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}',
    api: 'servicedesk',
    handler: (c) => {
      const { desk: d } = agentDesk(c);
      const rt = requestTypeOf(d, c.params.requestTypeId ?? '');
      d.requestTypes = d.requestTypes.filter((r) => r !== rt);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field',
    api: 'servicedesk',
    handler: (c) => {
      const { desk: d, project } = desk(c);
      return json(
        200,
        requestTypeFieldsDto(
          c.render,
          requestTypeOf(d, c.params.requestTypeId ?? ''),
          isAgent(c.ops, c.actor, project),
        ),
      );
    },
  },
  {
    method: 'GET',
    path: '/servicedesk/{serviceDeskId}/customer',
    api: 'servicedesk',
    handler: (c) => {
      const { desk: d } = agentDesk(c);
      const q = c.query.get('query')?.toLowerCase();
      const customers = [...d.customers]
        .flatMap((h) => c.site.state.users.get(h) ?? [])
        .filter((u) => !q || u.displayName.toLowerCase().includes(q) || u.email.toLowerCase().includes(q));
      return pagedReply(c, `servicedesk/${d.id}/customer`, customers, (u) => userDto(c.render, u));
    },
  },
  {
    method: 'POST',
    path: '/servicedesk/{serviceDeskId}/customer',
    api: 'servicedesk',
    handler: (c) => {
      changeCustomers(
        c.ops,
        c.actor,
        c.params.serviceDeskId ?? '',
        refsOf(parseBody(usersSchema, c.body)),
        true,
      );
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/servicedesk/{serviceDeskId}/customer',
    api: 'servicedesk',
    handler: (c) => {
      changeCustomers(
        c.ops,
        c.actor,
        c.params.serviceDeskId ?? '',
        refsOf(parseBody(usersSchema, c.body)),
        false,
      );
      return noContent();
    },
  },
  {
    method: 'POST',
    path: '/servicedesk/{serviceDeskId}/attachTemporaryFile',
    api: 'servicedesk',
    multipart: true,
    handler: (c) => {
      requireNoCheck(c);
      const { desk: d } = desk(c);
      const temporaryAttachments = uploadedFiles(c.parts).map((f) => {
        const id = `temp${c.site.state.nextId('temporary')}`;
        c.site.state.temporaryAttachments.set(id, { id, serviceDeskId: d.id, user: c.actor.handle, ...f });
        return { temporaryAttachmentId: id, fileName: f.filename };
      });
      return json(201, { temporaryAttachments });
    },
  },
  {
    method: 'POST',
    path: '/customer',
    api: 'servicedesk',
    handler: (c) => {
      const input = parseBody(
        z.looseObject({
          email: z.email(),
          displayName: z.string().optional(),
          fullName: z.string().optional(),
        }),
        c.body,
      );
      const user = createCustomer(c.ops, c.actor, {
        email: input.email,
        displayName: input.displayName ?? input.fullName ?? input.email,
      });
      return json(201, userDto(c.render, user));
    },
  },
  {
    method: 'GET',
    path: '/requesttype',
    api: 'servicedesk',
    handler: (c) => {
      const only = c.query.getAll('serviceDeskId');
      const q = c.query.get('searchQuery')?.toLowerCase();
      const all = [...c.site.state.projects.values()]
        .filter(
          (p) =>
            !p.deleted &&
            p.serviceDesk &&
            canUseDesk(c.ops, c.actor, p) &&
            (only.length === 0 || only.includes(p.serviceDesk.id)),
        )
        .flatMap((p) => {
          const d = p.serviceDesk as NonNullable<typeof p.serviceDesk>;
          return d.requestTypes
            .filter((rt) => !q || rt.name.toLowerCase().includes(q))
            .map((rt) => requestTypeDto(c.render, d, rt));
        });
      return pagedReply(c, 'requesttype', all, (x) => x);
    },
  },
  {
    method: 'GET',
    path: '/request',
    api: 'servicedesk',
    handler: (c) => {
      const deskFilter = c.query.get('serviceDeskId');
      const typeFilter = c.query.get('requestTypeId');
      const statusFilter = c.query.get('requestStatus') ?? 'ALL_REQUESTS';
      const ownership = c.query.get('requestOwnership');
      const all = [...c.site.state.issues.values()].filter((issue) => {
        if (issue.requestTypeId === null || !c.site.state.portalCanSee(c.actor, issue)) return false;
        const project = c.site.state.projectOf(issue);
        if (deskFilter !== null && project.serviceDesk?.id !== deskFilter) return false;
        if (typeFilter !== null && issue.requestTypeId !== typeFilter) return false;
        const done = c.site.state.statuses.get(issue.statusId)?.category === 'done';
        if (statusFilter === 'CLOSED_REQUESTS' && !done) return false;
        if (statusFilter === 'OPEN_REQUESTS' && done) return false;
        if (ownership === 'OWNED_REQUESTS' && issue.reporter !== c.actor.handle) return false;
        if (ownership === 'PARTICIPATED_REQUESTS' && !issue.participants.includes(c.actor.handle))
          return false;
        return true;
      });
      const expand = expandOf(c);
      return pagedReply(c, 'request', all, (issue) => customerRequestDto(c.render, issue, expand));
    },
  },
  {
    method: 'POST',
    path: '/request',
    api: 'servicedesk',
    handler: (c) => {
      const input = parseBody(requestSchema, c.body);
      const issue = createRequest(c.ops, c.actor, {
        serviceDeskId: input.serviceDeskId,
        requestTypeId: input.requestTypeId,
        requestFieldValues: input.requestFieldValues,
        ...(input.raiseOnBehalfOf === undefined ? {} : { raiseOnBehalfOf: input.raiseOnBehalfOf }),
        ...(input.requestParticipants === undefined
          ? {}
          : { requestParticipants: input.requestParticipants }),
      });
      return json(201, customerRequestDto(c.render, issue, new Set(['requestType', 'serviceDesk'])));
    },
  },
  {
    method: 'GET',
    path: '/request/{issueIdOrKey}',
    api: 'servicedesk',
    handler: (c) =>
      json(
        200,
        customerRequestDto(c.render, viewRequest(c.ops, c.actor, c.params.issueIdOrKey ?? ''), expandOf(c)),
      ),
  },
  {
    method: 'GET',
    path: '/request/{issueIdOrKey}/comment',
    api: 'servicedesk',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const comments = requestComments(c.ops, c.actor, ref, {
        public: c.query.get('public') !== 'false',
        internal: c.query.get('internal') !== 'false',
      });
      return pagedReply(c, `request/${ref}/comment`, comments, (cm) => commentDto(c.render, cm));
    },
  },
  {
    method: 'POST',
    path: '/request/{issueIdOrKey}/comment',
    api: 'servicedesk',
    write: true,
    handler: (c) => {
      const input = parseBody(commentSchema, c.body);
      return json(
        201,
        commentDto(
          c.render,
          addRequestComment(c.ops, c.actor, c.params.issueIdOrKey ?? '', {
            body: input.body,
            public: input.public,
          }),
        ),
      );
    },
  },
  {
    method: 'GET',
    path: '/request/{issueIdOrKey}/comment/{commentId}',
    api: 'servicedesk',
    handler: (c) => {
      const comment = requestComments(c.ops, c.actor, c.params.issueIdOrKey ?? '', {
        public: true,
        internal: true,
      }).find((cm) => cm.id === c.params.commentId);
      if (!comment) throw JiraError.notFound(`Comment ${c.params.commentId ?? ''} does not exist.`);
      return json(200, commentDto(c.render, comment));
    },
  },
  {
    method: 'GET',
    path: '/request/{issueIdOrKey}/participant',
    api: 'servicedesk',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = viewRequest(c.ops, c.actor, ref);
      const users = issue.participants.flatMap((h) => c.site.state.users.get(h) ?? []);
      return pagedReply(c, `request/${ref}/participant`, users, (u) => userDto(c.render, u));
    },
  },
  {
    method: 'POST',
    path: '/request/{issueIdOrKey}/participant',
    api: 'servicedesk',
    write: true,
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = changeParticipants(c.ops, c.actor, ref, refsOf(parseBody(usersSchema, c.body)), true);
      const users = issue.participants.flatMap((h) => c.site.state.users.get(h) ?? []);
      return json(
        200,
        paged(
          c.render,
          `request/${ref}/participant`,
          users.map((u) => userDto(c.render, u)),
          0,
          50,
        ),
      );
    },
  },
  {
    method: 'DELETE',
    path: '/request/{issueIdOrKey}/participant',
    api: 'servicedesk',
    write: true,
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = changeParticipants(c.ops, c.actor, ref, refsOf(parseBody(usersSchema, c.body)), false);
      const users = issue.participants.flatMap((h) => c.site.state.users.get(h) ?? []);
      return json(
        200,
        paged(
          c.render,
          `request/${ref}/participant`,
          users.map((u) => userDto(c.render, u)),
          0,
          50,
        ),
      );
    },
  },
  {
    method: 'GET',
    path: '/request/{issueIdOrKey}/attachment',
    api: 'servicedesk',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = viewRequest(c.ops, c.actor, ref);
      const attachments = issue.attachments.flatMap((id) => c.site.state.attachments.get(id) ?? []);
      return pagedReply(c, `request/${ref}/attachment`, attachments, (a) => attachmentDto(c.render, a));
    },
  },
  {
    method: 'POST',
    path: '/request/{issueIdOrKey}/attachment',
    api: 'servicedesk',
    write: true,
    handler: (c) => {
      const input = parseBody(
        z.looseObject({
          temporaryAttachmentIds: z.array(z.string()).min(1),
          public: z.boolean().default(true),
          additionalComment: z.looseObject({ body: z.string() }).optional(),
        }),
        c.body,
      );
      const ref = c.params.issueIdOrKey ?? '';
      const result = attachToRequest(c.ops, c.actor, ref, {
        temporaryAttachmentIds: input.temporaryAttachmentIds,
        public: input.public,
        ...(input.additionalComment ? { comment: input.additionalComment.body } : {}),
      });
      return json(201, {
        attachments: paged(
          c.render,
          `request/${ref}/attachment`,
          result.attachments.map((a) => attachmentDto(c.render, a)),
          0,
          50,
        ),
        ...(result.comment ? { comment: commentDto(c.render, result.comment) } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/request/{issueIdOrKey}/status',
    api: 'servicedesk',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const history = statusHistory(c.render, viewRequest(c.ops, c.actor, ref)).reverse();
      return pagedReply(c, `request/${ref}/status`, history, (s) => s);
    },
  },
  {
    method: 'GET',
    path: '/request/{issueIdOrKey}/transition',
    api: 'servicedesk',
    handler: (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = viewRequest(c.ops, c.actor, ref);
      const transitions = availableTransitions(c.ops, c.actor, issue, true);
      return pagedReply(c, `request/${ref}/transition`, transitions, (t) => ({ id: t.id, name: t.name }));
    },
  },
  {
    method: 'POST',
    path: '/request/{issueIdOrKey}/transition',
    api: 'servicedesk',
    write: true,
    handler: (c) => {
      const input = parseBody(
        z.looseObject({
          id: z.union([z.string(), z.number()]).transform(String),
          additionalComment: z.looseObject({ body: z.string() }).optional(),
        }),
        c.body,
      );
      customerTransition(c.ops, c.actor, c.params.issueIdOrKey ?? '', {
        id: input.id,
        ...(input.additionalComment ? { comment: input.additionalComment.body } : {}),
      });
      return noContent();
    },
  },
];
