import { Random } from '../../simulator/random.ts';
import type { SyncBenchOptions } from './options.ts';
import type { IssuePair, SiteName, SyncStack } from './stack.ts';

/** What a person does on one site, and how the bench recognises it on the other. */
export type ChangeKind =
  | 'summaryHelpToEng'
  | 'summaryEngToHelp'
  | 'commentHelpToEng'
  | 'commentEngToHelp'
  | 'statusResolve'
  | 'statusReopen';

export const CHANGE_KINDS: readonly ChangeKind[] = [
  'summaryHelpToEng',
  'summaryEngToHelp',
  'commentHelpToEng',
  'commentEngToHelp',
  'statusResolve',
  'statusReopen',
];

export const KIND_LABEL: Record<ChangeKind, string> = {
  summaryHelpToEng: 'Summary edit, HELP → ENG',
  summaryEngToHelp: 'Summary edit, ENG → HELP',
  commentHelpToEng: 'Public reply, HELP → ENG comment',
  commentEngToHelp: 'Comment, ENG → HELP internal note',
  statusResolve: 'Status: HELP resolved → ENG Done (2 transitions)',
  statusReopen: 'Status: HELP reopened + escalated → ENG To Do',
};

/** The site a change is made on; the baseline of its slot copies a summary in the same direction. */
export const SOURCE_OF: Record<ChangeKind, SiteName> = {
  summaryHelpToEng: 'help',
  summaryEngToHelp: 'eng',
  commentHelpToEng: 'help',
  commentEngToHelp: 'eng',
  statusResolve: 'help',
  statusReopen: 'help',
};

export interface AppliedChange {
  /** True once the change is visible on the other site (read from the simulator's in-memory model). */
  readonly landed: () => boolean;
  readonly what: string;
}

let serial = 0;

/** Makes the change as a person would (agent alice on HELP, engineer bob on ENG); webhooks fire as in Jira. */
export function applyChange(stack: SyncStack, kind: ChangeKind, pair: IssuePair): AppliedChange {
  const { help, eng } = stack.sites;
  const token = `bench change ${++serial}`;
  const what = `${kind} on pair ${pair.index} (${token})`;
  switch (kind) {
    case 'summaryHelpToEng':
      help.as('alice').edit(pair.help.key, { summary: token });
      return { landed: () => pair.eng.summary === token, what };
    case 'summaryEngToHelp':
      eng.as('bob').edit(pair.eng.key, { summary: token });
      return { landed: () => pair.help.summary === token, what };
    case 'commentHelpToEng':
      help.as('alice').reply(pair.help.key, `${token}: public reply`);
      return { landed: () => lastCommentHas(pair.eng, token), what };
    case 'commentEngToHelp':
      eng.as('bob').comment(pair.eng.key, `${token}: engineering comment`);
      return { landed: () => lastCommentHas(pair.help, token), what };
    case 'statusResolve': {
      help.as('alice').transition(pair.help.key, 'Resolve this issue');
      const done = stack.statusIds.engDone;
      return { landed: () => pair.eng.statusId === done, what };
    }
    case 'statusReopen': {
      help.as('alice').transition(pair.help.key, 'Reopen');
      help.as('alice').transition(pair.help.key, 'Escalate');
      const toDo = stack.statusIds.engToDo;
      return { landed: () => pair.eng.statusId === toDo, what };
    }
  }
}

function lastCommentHas(issue: IssuePair['help'], token: string): boolean {
  // Copies carry an attribution line, so the token is looked for, not the whole body.
  const comments = issue.comments;
  for (let i = comments.length - 1; i >= 0 && i >= comments.length - 3; i--) {
    if (comments[i]?.body.includes(token)) return true;
  }
  return false;
}

export interface Slot {
  readonly kind: ChangeKind;
  readonly pair: IssuePair;
}

/**
 * The changes of one round in a shuffled order, each on a pair in rotation. Status changes alternate:
 * resolve a pair, then reopen that same pair, so every pair ends the round escalated again.
 */
export function roundSchedule(
  options: SyncBenchOptions,
  pairs: readonly IssuePair[],
  round: number,
  cursor: { next: number; resolved?: IssuePair },
): Slot[] {
  const kinds: ('status' | Exclude<ChangeKind, 'statusResolve' | 'statusReopen'>)[] = [];
  const { mix } = options;
  const add = (kind: (typeof kinds)[number], n: number) => {
    for (let i = 0; i < n; i++) kinds.push(kind);
  };
  add('summaryHelpToEng', mix.summaryHelpToEng);
  add('summaryEngToHelp', mix.summaryEngToHelp);
  add('commentHelpToEng', mix.commentHelpToEng);
  add('commentEngToHelp', mix.commentEngToHelp);
  add('status', mix.status);
  // Seeded, so every run plays the same order.
  const order = new Random(0x5eed + round).shuffle(kinds);
  const nextPair = () => pairs[cursor.next++ % pairs.length] as IssuePair;
  return order.map((kind) => {
    if (kind !== 'status') return { kind, pair: nextPair() };
    if (cursor.resolved) {
      const pair = cursor.resolved;
      cursor.resolved = undefined;
      return { kind: 'statusReopen', pair };
    }
    cursor.resolved = nextPair();
    return { kind: 'statusResolve', pair: cursor.resolved };
  });
}
