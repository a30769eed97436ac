import type { Attachment, ChangeItem, Comment, History, Issue, IssueLink, Worklog } from './types.ts';

/**
 * What changed, as the domain operations report it. The webhook layer renders payloads from these at the
 * moment of the change (a late or retried delivery still carries the state of its event, as in Jira).
 */
export type DomainEvent =
  | {
      readonly type: 'issue_created';
      readonly issue: Issue;
      readonly actor: string;
      readonly items: readonly ChangeItem[];
    }
  | {
      readonly type: 'issue_updated';
      readonly issue: Issue;
      readonly actor: string;
      /** `issue_updated`, `issue_generic` (transitions), `issue_assigned`, `issue_commented`, … */
      readonly eventTypeName: string;
      readonly history?: History;
      readonly comment?: Comment;
    }
  | { readonly type: 'issue_deleted'; readonly issue: Issue; readonly actor: string }
  | {
      readonly type: 'comment_created' | 'comment_updated' | 'comment_deleted';
      readonly issue: Issue;
      readonly comment: Comment;
      readonly actor: string;
    }
  | {
      readonly type: 'attachment_created' | 'attachment_deleted';
      readonly attachment: Attachment;
      readonly actor: string;
    }
  | {
      readonly type: 'issuelink_created' | 'issuelink_deleted';
      readonly link: IssueLink;
      readonly actor: string;
    }
  | {
      readonly type: 'worklog_created' | 'worklog_updated' | 'worklog_deleted';
      readonly issue: Issue;
      readonly worklog: Worklog;
      readonly actor: string;
    }
  | {
      readonly type: 'issue_property_set' | 'issue_property_deleted';
      readonly issue: Issue;
      readonly key: string;
      readonly value: unknown;
      readonly actor: string;
    };

export type DomainEventType = DomainEvent['type'];
