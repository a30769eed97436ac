import { JiraError } from './errors.ts';
import type { SiteState } from './model/state.ts';
import type { IndexedIssue, User } from './model/types.ts';

/**
 * The JQL subset jira-sync uses: project, issuetype, status, statusCategory, key/id (`=`, `!=`, `IN`,
 * `NOT IN`), assignee/reporter (incl. `currentUser()`, `IS EMPTY`), labels, created/updated with relative
 * (`-5m`, `-2h`, `-1d`, `-1w`) or absolute (`2025-03-10`, `"2025/03/10 10:00"`, epoch millis) values,
 * AND/OR/NOT with parentheses, and ORDER BY updated/created/key/id. Anything else is refused with Jira's
 * message, including issue-property clauses (`issue.property[...]`), which need an index Jira only builds
 * for apps that declare it.
 */

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'op'; readonly text: string }
  | { readonly kind: 'punct'; readonly text: '(' | ')' | ',' };

export type JqlValue =
  | { readonly kind: 'literal'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'empty' };

export type JqlExpr =
  | { readonly kind: 'and' | 'or'; readonly parts: readonly JqlExpr[] }
  | { readonly kind: 'not'; readonly part: JqlExpr }
  | {
      readonly kind: 'clause';
      readonly field: string;
      readonly op: string;
      readonly values: readonly JqlValue[];
    };

export interface JqlOrder {
  readonly field: string;
  readonly direction: 'ASC' | 'DESC';
}

export interface JqlQuery {
  readonly where: JqlExpr | null;
  readonly orderBy: readonly JqlOrder[];
}

const fail = (message: string): JiraError => JiraError.badRequest(`Error in the JQL Query: ${message}`);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        s += text[j];
        j++;
      }
      if (j >= text.length) throw fail(`The quoted string starting at character ${i + 1} is not terminated.`);
      tokens.push({ kind: 'word', text: s, quoted: true });
      i = j + 1;
    } else if ('=!<>~'.includes(c)) {
      const two = text.slice(i, i + 2);
      const op = ['!=', '>=', '<=', '!~'].includes(two) ? two : c;
      if (op === '!') throw fail(`The character '!' at position ${i + 1} is not expected.`);
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_.\-:/[\]@+*]/.test(text[j] as string)) j++;
      if (j === i) throw fail(`The character '${c}' at position ${i + 1} is not expected.`);
      tokens.push({ kind: 'word', text: text.slice(i, j), quoted: false });
      i = j;
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && !t.quoted && t.text.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t?.kind === 'word' && !t.quoted && t.text.toUpperCase() === word;
  }

  parse(): JqlQuery {
    let where: JqlExpr | null = null;
    if (this.peek() && !(this.isKeyword('ORDER') && this.isKeyword('BY', 1))) where = this.or();
    const orderBy: JqlOrder[] = [];
    if (this.keyword('ORDER')) {
      if (!this.keyword('BY')) throw fail("Expecting 'BY' after 'ORDER'.");
      do {
        const t = this.peek();
        if (t?.kind !== 'word') throw fail('Expecting a field name after ORDER BY.');
        this.i++;
        let direction: JqlOrder['direction'] = 'ASC';
        if (this.keyword('DESC')) direction = 'DESC';
        else this.keyword('ASC');
        orderBy.push({ field: t.text.toLowerCase(), direction });
      } while (this.punct(','));
    }
    const rest = this.peek();
    if (rest) throw fail(`Expecting either 'OR' or 'AND' but got '${rest.text}'.`);
    return { where, orderBy };
  }

  private punct(p: '(' | ')' | ','): boolean {
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === p) {
      this.i++;
      return true;
    }
    return false;
  }

  private or(): JqlExpr {
    const parts = [this.and()];
    while (this.keyword('OR')) parts.push(this.and());
    return parts.length === 1 ? (parts[0] as JqlExpr) : { kind: 'or', parts };
  }

  private and(): JqlExpr {
    const parts = [this.not()];
    while (this.keyword('AND')) parts.push(this.not());
    return parts.length === 1 ? (parts[0] as JqlExpr) : { kind: 'and', parts };
  }

  private not(): JqlExpr {
    if (this.keyword('NOT')) return { kind: 'not', part: this.not() };
    if (this.punct('(')) {
      const inner = this.or();
      if (!this.punct(')')) throw fail("Expecting ')' before the end of the query.");
      return inner;
    }
    return this.clause();
  }

  private clause(): JqlExpr {
    const fieldToken = this.peek();
    if (fieldToken?.kind !== 'word')
      throw fail(`Expecting a field name but got '${fieldToken?.text ?? 'the end of the query'}'.`);
    this.i++;
    const field = fieldToken.text;
    let op: string;
    const t = this.peek();
    if (t?.kind === 'op') {
      op = t.text;
      this.i++;
    } else if (this.keyword('IN')) {
      op = 'IN';
    } else if (this.isKeyword('NOT') && this.isKeyword('IN', 1)) {
      this.i += 2;
      op = 'NOT IN';
    } else if (this.keyword('IS')) {
      op = this.keyword('NOT') ? 'IS NOT' : 'IS';
    } else {
      throw fail(`Expecting an operator after '${field}'.`);
    }
    if (op === 'IN' || op === 'NOT IN') {
      if (!this.punct('(')) throw fail(`Expecting '(' after '${op}'.`);
      const values: JqlValue[] = [];
      do values.push(this.value());
      while (this.punct(','));
      if (!this.punct(')')) throw fail("Expecting ')' to close the list.");
      return { kind: 'clause', field, op, values };
    }
    return { kind: 'clause', field, op, values: [this.value()] };
  }

  private value(): JqlValue {
    const t = this.peek();
    if (t?.kind !== 'word') throw fail(`Expecting a value but got '${t?.text ?? 'the end of the query'}'.`);
    this.i++;
    if (!t.quoted && (t.text.toUpperCase() === 'EMPTY' || t.text.toUpperCase() === 'NULL'))
      return { kind: 'empty' };
    if (!t.quoted && this.punct('(')) {
      if (!this.punct(')')) throw fail(`Function '${t.text}' takes no arguments here.`);
      return { kind: 'function', name: t.text.toLowerCase() };
    }
    return { kind: 'literal', text: t.text, quoted: t.quoted };
  }
}

export function parseJql(text: string): JqlQuery {
  return new Parser(tokenize(text)).parse();
}

export interface JqlEnv {
  readonly state: SiteState;
  readonly now: number;
  readonly currentUser?: User;
  /** Dynamic webhooks accept only a few fields and the four list operators. */
  readonly restricted?: boolean;
}

type Predicate = (doc: IndexedIssue) => boolean;

const RESTRICTED_FIELDS = new Set([
  'project',
  'issuetype',
  'type',
  'status',
  'issuekey',
  'key',
  'assignee',
  'reporter',
]);
const DURATION = /^([-+]?)(\d+)([wdhm])$/i;
const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

function dateValue(value: JqlValue, env: JqlEnv, field: string): number {
  if (value.kind === 'function') {
    if (value.name === 'now') return env.now;
    if (value.name === 'startofday') return Math.floor(env.now / 86_400_000) * 86_400_000;
    throw fail(`Function '${value.name}' is not supported for '${field}'.`);
  }
  if (value.kind !== 'literal') throw fail(`Field '${field}' does not support EMPTY here.`);
  const text = value.text.trim();
  const rel = DURATION.exec(text);
  if (rel) {
    const sign = rel[1] === '-' ? -1 : 1;
    return env.now + sign * Number(rel[2]) * (UNIT_MS[(rel[3] as string).toLowerCase()] ?? 0);
  }
  if (/^\d{10,}$/.test(text)) return Number(text);
  const abs = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{2}):(\d{2}))?$/.exec(text);
  if (abs) {
    const [, y, mo, d, h, mi] = abs;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0));
  }
  throw fail(
    `Date value '${text}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
  );
}

function literal(value: JqlValue, field: string): string {
  if (value.kind === 'literal') return value.text;
  throw fail(`Field '${field}' does not support ${value.kind === 'empty' ? 'EMPTY' : 'functions'} here.`);
}

function userHandles(value: JqlValue, env: JqlEnv, field: string): string | null {
  if (value.kind === 'empty') return null;
  if (value.kind === 'function') {
    if (value.name === 'currentuser' && env.currentUser) return env.currentUser.handle;
    throw fail(`Function '${value.name}' is not supported for '${field}'.`);
  }
  const user =
    env.state.findUser({ accountId: value.text }) ??
    env.state.findUser({ name: value.text }) ??
    env.state.findUser({ email: value.text });
  if (!user) throw fail(`The value '${value.text}' does not exist for the field '${field}'.`);
  return user.handle;
}

function compileClause(expr: Extract<JqlExpr, { kind: 'clause' }>, env: JqlEnv): Predicate {
  const field = expr.field.toLowerCase();
  const { state } = env;
  if (field.startsWith('issue.property') || field.startsWith('cf[')) {
    throw fail(`Field '${expr.field}' does not exist or you do not have permission to view it.`);
  }
  if (env.restricted && !RESTRICTED_FIELDS.has(field)) {
    throw fail(`Field '${expr.field}' is not supported in webhook JQL filters.`);
  }
  const listOps = ['=', '!=', 'IN', 'NOT IN'];
  if (env.restricted && !listOps.includes(expr.op))
    throw fail(`Operator '${expr.op}' is not supported in webhook JQL filters.`);
  const negate = expr.op === '!=' || expr.op === 'NOT IN' || expr.op === 'IS NOT';
  const membership = (
    resolve: (v: JqlValue) => string | null,
    get: (d: IndexedIssue) => string | null,
  ): Predicate => {
    if (!['=', '!=', 'IN', 'NOT IN', 'IS', 'IS NOT'].includes(expr.op)) {
      throw fail(`The operator '${expr.op}' is not supported by the '${expr.field}' field.`);
    }
    const wanted = new Set(expr.values.map(resolve));
    return (d) => wanted.has(get(d)) !== negate;
  };
  switch (field) {
    case 'project':
      return membership(
        (v) => {
          const text = literal(v, 'project');
          const p =
            state.findProject(text) ??
            [...state.projects.values()].find(
              (x) => !x.deleted && x.name.toLowerCase() === text.toLowerCase(),
            );
          if (!p) throw fail(`The value '${text}' does not exist for the field 'project'.`);
          return p.id;
        },
        (d) => d.projectId,
      );
    case 'issuetype':
    case 'type':
      return membership(
        (v) => {
          const text = literal(v, 'issuetype');
          const t = [...state.issueTypes.values()].find(
            (x) => x.id === text || x.name.toLowerCase() === text.toLowerCase(),
          );
          if (!t) throw fail(`The value '${text}' does not exist for the field 'issuetype'.`);
          return t.id;
        },
        (d) => d.issueTypeId,
      );
    case 'status':
      return membership(
        (v) => {
          const text = literal(v, 'status');
          const s = [...state.statuses.values()].find(
            (x) => x.id === text || x.name.toLowerCase() === text.toLowerCase(),
          );
          if (!s) throw fail(`The value '${text}' does not exist for the field 'status'.`);
          return s.id;
        },
        (d) => d.statusId,
      );
    case 'statuscategory':
      return membership(
        (v) => {
          const text = literal(v, 'statusCategory').toLowerCase();
          const key = {
            'to do': 'new',
            new: 'new',
            'in progress': 'indeterminate',
            indeterminate: 'indeterminate',
            done: 'done',
          }[text];
          if (!key) throw fail(`The value '${text}' does not exist for the field 'statusCategory'.`);
          return key;
        },
        (d) => state.statuses.get(d.statusId)?.category ?? null,
      );
    case 'key':
    case 'issuekey':
    case 'issue':
    case 'id':
      return membership(
        (v) => {
          const text = literal(v, field);
          const issue = state.findIssue(text);
          if (!issue && !/^\d+$/.test(text) && !/^[A-Z][A-Z0-9_]*-\d+$/i.test(text)) {
            throw fail(`The issue key '${text}' for field '${field}' is invalid.`);
          }
          return issue?.id ?? `missing:${text}`;
        },
        (d) => d.id,
      );
    case 'assignee':
    case 'reporter':
      return membership(
        (v) => userHandles(v, env, field),
        (d) => d[field],
      );
    case 'labels': {
      if (!['=', '!=', 'IN', 'NOT IN', 'IS', 'IS NOT'].includes(expr.op))
        throw fail(`The operator '${expr.op}' is not supported by the 'labels' field.`);
      const wanted = expr.values.map((v) => (v.kind === 'empty' ? null : literal(v, 'labels')));
      return (d) => {
        const hit = wanted.some((w) => (w === null ? d.labels.length === 0 : d.labels.includes(w)));
        return hit !== negate;
      };
    }
    case 'updated':
    case 'updateddate':
    case 'created':
    case 'createddate': {
      const get = (d: IndexedIssue) => (field.startsWith('updated') ? d.updated : d.created);
      const at = dateValue(expr.values[0] as JqlValue, env, field);
      switch (expr.op) {
        case '>=':
          return (d) => get(d) >= at;
        case '>':
          return (d) => get(d) > at;
        case '<=':
          return (d) => get(d) <= at;
        case '<':
          return (d) => get(d) < at;
        case '=':
          return (d) => get(d) === at;
        case '!=':
          return (d) => get(d) !== at;
        default:
          throw fail(`The operator '${expr.op}' is not supported by the '${expr.field}' field.`);
      }
    }
    default:
      throw fail(`Field '${expr.field}' does not exist or you do not have permission to view it.`);
  }
}

export function compileExpr(expr: JqlExpr, env: JqlEnv): Predicate {
  switch (expr.kind) {
    case 'and': {
      const parts = expr.parts.map((p) => compileExpr(p, env));
      return (d) => parts.every((p) => p(d));
    }
    case 'or': {
      const parts = expr.parts.map((p) => compileExpr(p, env));
      return (d) => parts.some((p) => p(d));
    }
    case 'not': {
      const part = compileExpr(expr.part, env);
      return (d) => !part(d);
    }
    case 'clause':
      return compileClause(expr, env);
  }
}

function keyOrder(a: IndexedIssue, b: IndexedIssue): number {
  const [pa = '', na = '0'] = a.key.split('-');
  const [pb = '', nb = '0'] = b.key.split('-');
  return pa.localeCompare(pb) || Number(na) - Number(nb);
}

const ORDERS: Record<string, (a: IndexedIssue, b: IndexedIssue) => number> = {
  updated: (a, b) => a.updated - b.updated,
  updateddate: (a, b) => a.updated - b.updated,
  created: (a, b) => a.created - b.created,
  createddate: (a, b) => a.created - b.created,
  key: keyOrder,
  issuekey: keyOrder,
  id: (a, b) => Number(a.id) - Number(b.id),
};

/** A comparator for ORDER BY (default: created DESC), with the id as the last tie-breaker for stable paging. */
export function compileOrder(orderBy: readonly JqlOrder[]): (a: IndexedIssue, b: IndexedIssue) => number {
  const orders = orderBy.length > 0 ? orderBy : [{ field: 'created', direction: 'DESC' as const }];
  const comparators = orders.map((o) => {
    const cmp = ORDERS[o.field];
    if (!cmp)
      throw fail(`Field '${o.field}' does not support ordering here (supported: updated, created, key, id).`);
    return o.direction === 'DESC' ? (a: IndexedIssue, b: IndexedIssue) => -cmp(a, b) : cmp;
  });
  return (a, b) => {
    for (const c of comparators) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return Number(a.id) - Number(b.id);
  };
}

/** Parses and compiles a query in one step. */
export function compileJql(
  text: string,
  env: JqlEnv,
): { readonly match: Predicate; readonly order: ReturnType<typeof compileOrder>; readonly bounded: boolean } {
  const query = parseJql(text);
  return {
    match: query.where ? compileExpr(query.where, env) : () => true,
    order: compileOrder(query.orderBy),
    bounded: query.where !== null,
  };
}
