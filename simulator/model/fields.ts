import { serviceFieldIds } from './catalog.ts';
import { isDateOnly } from './dates.ts';
import type { OpsContext } from './ops-context.ts';
import type { ChangeItem, CustomField, Issue, Project, User } from './types.ts';

/**
 * Turns the `fields` and `update` of a create, edit or transition request (REST v2 shapes) into planned
 * changes. Every error is collected first, in Jira's `errors` map keyed by field, so a request either
 * applies completely or not at all.
 */

export type FieldMode = 'create' | 'edit' | 'transition';

export interface PlannedChange {
  readonly fieldId: string;
  readonly apply: (issue: Issue) => void;
  readonly item: ChangeItem | null;
}

export interface FieldPlan {
  readonly changes: PlannedChange[];
  readonly errors: Record<string, string>;
  /** `update.comment[].add.body`: comments to add with the change. */
  readonly comments: string[];
}

type Value = unknown;
const notSettable = (id: string) =>
  `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves `fields` and `update` into one value per field (`update` operations applied to the current value). */
function mergeUpdate(
  issue: Issue | undefined,
  fields: Record<string, Value>,
  update: Record<string, Value>,
  errors: Record<string, string>,
  comments: string[],
): Record<string, Value> {
  const out: Record<string, Value> = { ...fields };
  for (const [id, ops] of Object.entries(update)) {
    if (!Array.isArray(ops)) {
      errors[id] = `Operations for field '${id}' must be an array.`;
      continue;
    }
    if (id === 'comment') {
      for (const op of ops) {
        const body = isRecord(op) && isRecord(op.add) ? op.add.body : undefined;
        if (typeof body === 'string' && body.trim() !== '') comments.push(body);
        else errors.comment = 'Comment body can not be empty!';
      }
      continue;
    }
    if (id in fields) {
      errors[id] = `Field '${id}' cannot be set in both "fields" and "update".`;
      continue;
    }
    let labels = id === 'labels' ? [...(issue?.labels ?? [])] : undefined;
    for (const op of ops) {
      if (!isRecord(op)) {
        errors[id] = `Invalid operation for field '${id}'.`;
        continue;
      }
      if ('set' in op) {
        out[id] = op.set;
        if (labels) labels = Array.isArray(op.set) ? op.set.map(String) : labels;
      } else if (labels && typeof op.add === 'string') {
        if (!labels.includes(op.add)) labels.push(op.add);
      } else if (labels && typeof op.remove === 'string') {
        labels = labels.filter((l) => l !== op.remove);
      } else {
        errors[id] =
          `Field '${id}' does not support the operation ${Object.keys(op).join(', ') || '(none)'}.`;
      }
    }
    if (labels) out[id] = labels;
  }
  return out;
}

function userValue(ctx: OpsContext, value: Value): { user: User | null } | { error: string } {
  if (value === null) return { user: null };
  if (!isRecord(value))
    return { error: `expected an object with ${ctx.state.flavour === 'cloud' ? 'accountId' : 'name'}` };
  if (ctx.state.flavour === 'cloud') {
    if (value.accountId === null) return { user: null };
    if (typeof value.accountId !== 'string') {
      // Cloud removed usernames (GDPR): `name` is refused.
      return { error: "Specify the user by accountId; 'name' and 'key' are not supported on Jira Cloud." };
    }
    const user = ctx.state.findUser({ accountId: value.accountId });
    return user ? { user } : { error: `User '${value.accountId}' does not exist.` };
  }
  const name = typeof value.name === 'string' ? value.name : undefined;
  const key = typeof value.key === 'string' ? value.key : undefined;
  if (name === undefined && key === undefined) {
    if (value.name === null || value.key === null) return { user: null };
    return { error: 'Specify the user by name or key.' };
  }
  const user = ctx.state.findUser(name !== undefined ? { name } : { key: key as string });
  return user ? { user } : { error: `User '${name ?? key}' does not exist.` };
}

function userRefFor(ctx: OpsContext, handle: string | null): string | null {
  if (handle === null) return null;
  const user = ctx.state.users.get(handle);
  if (!user) return null;
  return (ctx.state.flavour === 'cloud' ? user.accountId : user.key) ?? null;
}

function userItem(
  ctx: OpsContext,
  field: string,
  from: string | null,
  to: string | null,
  custom?: CustomField,
): ChangeItem {
  const name = (h: string | null) => (h === null ? null : (ctx.state.users.get(h)?.displayName ?? null));
  const cloud = ctx.state.flavour === 'cloud';
  return {
    field: custom ? custom.name : field,
    fieldtype: custom ? 'custom' : 'jira',
    fieldId: custom ? custom.id : field,
    from: userRefFor(ctx, from),
    fromString: name(from),
    to: userRefFor(ctx, to),
    toString: name(to),
    ...(cloud ? { accountIds: { from: userRefFor(ctx, from), to: userRefFor(ctx, to) } } : {}),
  };
}

const textItem = (
  field: string,
  from: string | null,
  to: string | null,
  custom?: CustomField,
): ChangeItem => ({
  field: custom ? custom.name : field,
  fieldtype: custom ? 'custom' : 'jira',
  fieldId: custom ? custom.id : field,
  from: null,
  fromString: from,
  to: null,
  toString: to,
});

const idItem = (
  field: string,
  from: [string, string] | null,
  to: [string, string] | null,
  fieldId = field,
): ChangeItem => ({
  field,
  fieldtype: 'jira',
  fieldId,
  from: from?.[0] ?? null,
  fromString: from?.[1] ?? null,
  to: to?.[0] ?? null,
  toString: to?.[1] ?? null,
});

function findByIdOrName<T extends { id: string; name: string }>(
  items: Iterable<T>,
  value: Value,
): T | undefined {
  if (!isRecord(value)) return undefined;
  for (const item of items) {
    if (typeof value.id === 'string' && item.id === value.id) return item;
    if (typeof value.id === 'number' && item.id === String(value.id)) return item;
    if (typeof value.name === 'string' && item.name.toLowerCase() === value.name.toLowerCase()) return item;
  }
  return undefined;
}

/** The fields each mode accepts besides custom fields. */
const SETTABLE: Readonly<Record<FieldMode, ReadonlySet<string>>> = {
  create: new Set([
    'project',
    'issuetype',
    'summary',
    'description',
    'environment',
    'priority',
    'assignee',
    'reporter',
    'labels',
    'duedate',
  ]),
  edit: new Set([
    'issuetype',
    'summary',
    'description',
    'environment',
    'priority',
    'assignee',
    'reporter',
    'labels',
    'duedate',
  ]),
  transition: new Set(['resolution', 'summary', 'description', 'priority', 'assignee', 'labels', 'duedate']),
};

/**
 * Plans the field changes of a request. `issue` is the current issue (edit, transition) or a draft being
 * created; `project` is where it lives. Permission checks that Jira reports per field happen here too.
 */
export function planFields(
  ctx: OpsContext,
  actor: User,
  issue: Issue,
  project: Project,
  input: { readonly fields?: Record<string, Value>; readonly update?: Record<string, Value> },
  mode: FieldMode,
  options: { readonly skipPermissionChecks?: boolean } = {},
): FieldPlan {
  const errors: Record<string, string> = {};
  const comments: string[] = [];
  const values = mergeUpdate(
    mode === 'create' ? undefined : issue,
    input.fields ?? {},
    input.update ?? {},
    errors,
    comments,
  );
  const changes: PlannedChange[] = [];
  const { state } = ctx;
  const service = serviceFieldIds(state.flavour);
  const allowed = SETTABLE[mode];

  for (const [id, value] of Object.entries(values)) {
    if (id === 'project' && mode === 'create') continue;
    const custom = state.customFields.get(id);
    if (!custom && !allowed.has(id) && !(mode === 'create' && id === service.requestType)) {
      errors[id] = notSettable(id);
      continue;
    }
    if (custom) {
      planCustom(ctx, custom, issue, value, changes, errors);
      continue;
    }
    switch (id) {
      case 'summary': {
        if (typeof value !== 'string' || value.trim() === '') {
          errors.summary = 'You must specify a summary of the issue.';
        } else if (value.length > 255) {
          errors.summary = 'Summary must be less than 255 characters.';
        } else if (value !== issue.summary || mode === 'create') {
          const from = mode === 'create' ? null : issue.summary;
          changes.push({
            fieldId: id,
            apply: (i) => {
              i.summary = value;
            },
            item: textItem('summary', from, value),
          });
        }
        break;
      }
      case 'description':
      case 'environment': {
        if (value !== null && typeof value !== 'string') {
          errors[id] = `Field '${id}' expects a string (wiki markup).`;
          break;
        }
        const next = value === '' ? null : value;
        const current = issue[id];
        if (next !== current || (mode === 'create' && next !== null)) {
          changes.push({
            fieldId: id,
            apply: (i) => {
              i[id] = next;
            },
            item: textItem(id, mode === 'create' ? null : current, next),
          });
        }
        break;
      }
      case 'issuetype': {
        const type = findByIdOrName(
          [...state.issueTypes.values()].filter((t) => project.issueTypeIds.includes(t.id)),
          value,
        );
        if (!type) {
          errors.issuetype = 'The issue type selected is invalid.';
        } else if (type.id !== issue.issueTypeId || mode === 'create') {
          const from = state.issueTypes.get(issue.issueTypeId);
          changes.push({
            fieldId: id,
            apply: (i) => {
              i.issueTypeId = type.id;
            },
            item: idItem('issuetype', mode === 'create' || !from ? null : [from.id, from.name], [
              type.id,
              type.name,
            ]),
          });
        }
        break;
      }
      case 'priority': {
        const priority = value === null ? null : findByIdOrName(state.priorities.values(), value);
        if (priority === undefined) {
          errors.priority = `Specify the Priority (id or name) in the string format`;
        } else if ((priority?.id ?? null) !== issue.priorityId || mode === 'create') {
          const from = issue.priorityId === null ? undefined : state.priorities.get(issue.priorityId);
          changes.push({
            fieldId: id,
            apply: (i) => {
              i.priorityId = priority?.id ?? null;
            },
            item: idItem(
              'priority',
              mode === 'create' || !from ? null : [from.id, from.name],
              priority ? [priority.id, priority.name] : null,
            ),
          });
        }
        break;
      }
      case 'assignee':
      case 'reporter': {
        const parsed = userValue(ctx, value);
        if ('error' in parsed) {
          errors[id] = parsed.error;
          break;
        }
        const target = parsed.user;
        if (!options.skipPermissionChecks) {
          if (
            id === 'assignee' &&
            mode !== 'create' &&
            !state.hasPermission(actor, project, 'ASSIGN_ISSUES')
          ) {
            errors.assignee = 'You do not have permission to assign issues.';
            break;
          }
          if (
            id === 'reporter' &&
            !state.hasPermission(actor, project, 'MODIFY_REPORTER') &&
            target?.handle !== actor.handle
          ) {
            errors.reporter = 'You do not have permission to modify the reporter.';
            break;
          }
        }
        if (id === 'assignee' && target && !state.hasPermission(target, project, 'ASSIGNABLE_USER')) {
          errors.assignee = `User '${state.userRef(target)}' cannot be assigned issues.`;
          break;
        }
        const current = issue[id];
        const next = target?.handle ?? null;
        if (next !== current || (mode === 'create' && next !== null)) {
          changes.push({
            fieldId: id,
            apply: (i) => {
              i[id] = next;
            },
            item: userItem(ctx, id, mode === 'create' ? null : current, next),
          });
        }
        break;
      }
      case 'labels': {
        if (
          !Array.isArray(value) ||
          !value.every((l) => typeof l === 'string' && l !== '' && !/\s/.test(l))
        ) {
          errors.labels = 'Labels must be strings without spaces.';
          break;
        }
        const next = [...new Set(value as string[])];
        const same = next.length === issue.labels.length && next.every((l) => issue.labels.includes(l));
        if (!same || (mode === 'create' && next.length > 0)) {
          const from = mode === 'create' || issue.labels.length === 0 ? null : issue.labels.join(' ');
          changes.push({
            fieldId: id,
            apply: (i) => {
              i.labels = next;
            },
            item: textItem('labels', from, next.length === 0 ? null : next.join(' ')),
          });
        }
        break;
      }
      case 'duedate': {
        if (value !== null && (typeof value !== 'string' || !isDateOnly(value))) {
          errors.duedate = "Error parsing date string. Use the format 'yyyy-MM-dd'.";
          break;
        }
        const next = value as string | null;
        if (next !== issue.duedate || (mode === 'create' && next !== null)) {
          changes.push({
            fieldId: id,
            apply: (i) => {
              i.duedate = next;
            },
            item: {
              ...idItem(
                'duedate',
                issue.duedate === null || mode === 'create' ? null : [issue.duedate, issue.duedate],
                next === null ? null : [next, next],
              ),
            },
          });
        }
        break;
      }
      case 'resolution': {
        const resolution = value === null ? null : findByIdOrName(state.resolutions.values(), value);
        if (resolution === undefined) {
          errors.resolution = 'The resolution selected is invalid.';
          break;
        }
        const from = issue.resolutionId === null ? undefined : state.resolutions.get(issue.resolutionId);
        if ((resolution?.id ?? null) !== issue.resolutionId) {
          changes.push({
            fieldId: id,
            apply: (i) => {
              i.resolutionId = resolution?.id ?? null;
              i.resolutionDate = resolution ? ctx.now() : null;
            },
            item: idItem(
              'resolution',
              from ? [from.id, from.name] : null,
              resolution ? [resolution.id, resolution.name] : null,
            ),
          });
        }
        break;
      }
      default: {
        if (id === service.requestType) {
          const requestType = project.serviceDesk?.requestTypes.find(
            (rt) => rt.id === String(value) || (isRecord(value) && rt.id === String(value.id)),
          );
          if (!requestType) errors[id] = 'The request type is invalid for this project.';
          else
            changes.push({
              fieldId: id,
              apply: (i) => {
                i.requestTypeId = requestType.id;
              },
              item: null,
            });
          break;
        }
        errors[id] = notSettable(id);
      }
    }
  }
  return { changes, errors, comments };
}

function planCustom(
  ctx: OpsContext,
  field: CustomField,
  issue: Issue,
  value: Value,
  changes: PlannedChange[],
  errors: Record<string, string>,
): void {
  const current = issue.custom.get(field.id);
  let next: string | number | undefined;
  let display: (v: string | number | undefined) => string | null = (v) =>
    v === undefined ? null : String(v);
  switch (field.type) {
    case 'text':
    case 'textarea':
      if (value !== null && typeof value !== 'string') {
        errors[field.id] = 'Operation value must be a string';
        return;
      }
      if (field.type === 'text' && typeof value === 'string' && value.length > 255) {
        errors[field.id] = 'Text fields hold at most 255 characters.';
        return;
      }
      next = value === null || value === '' ? undefined : value;
      break;
    case 'number':
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
        errors[field.id] = 'Operation value must be a number';
        return;
      }
      next = value === null ? undefined : value;
      break;
    case 'date':
      if (value !== null && (typeof value !== 'string' || !isDateOnly(value))) {
        errors[field.id] = "Error parsing date string. Use the format 'yyyy-MM-dd'.";
        return;
      }
      next = value === null ? undefined : value;
      break;
    case 'select': {
      if (value === null) {
        next = undefined;
        break;
      }
      const option = isRecord(value)
        ? field.options.find(
            (o) =>
              (value.id !== undefined && o.id === String(value.id)) ||
              (value.value !== undefined && o.value === value.value),
          )
        : undefined;
      if (!option) {
        errors[field.id] =
          `Option value '${isRecord(value) ? String(value.value ?? value.id) : String(value)}' is not valid`;
        return;
      }
      next = option.id;
      display = (v) => field.options.find((o) => o.id === v)?.value ?? null;
      break;
    }
    case 'user': {
      const parsed = userValue(ctx, value);
      if ('error' in parsed) {
        errors[field.id] = parsed.error;
        return;
      }
      next = parsed.user?.handle;
      if (next !== current) {
        const to = next === undefined ? null : String(next);
        changes.push({
          fieldId: field.id,
          apply: (i) => {
            if (to === null) i.custom.delete(field.id);
            else i.custom.set(field.id, to);
          },
          item: userItem(ctx, field.name, current === undefined ? null : String(current), to, field),
        });
      }
      return;
    }
  }
  if (next === current) return;
  const item: ChangeItem =
    field.type === 'select'
      ? {
          field: field.name,
          fieldtype: 'custom',
          fieldId: field.id,
          from: current === undefined ? null : String(current),
          fromString: display(current),
          to: next === undefined ? null : String(next),
          toString: display(next),
        }
      : textItem(field.name, display(current), display(next), field);
  changes.push({
    fieldId: field.id,
    apply: (i) => {
      if (next === undefined) i.custom.delete(field.id);
      else i.custom.set(field.id, next);
    },
    item,
  });
}
