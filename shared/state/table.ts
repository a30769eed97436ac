/**
 * The sync state table: one DynamoDB table, string partition key `pk` and sort key `sk`, TTL on
 * `expiresAt` (epoch seconds). CDK and the local stack create it from these constants.
 */
export const STATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

/** Item keys. Issues are keyed by id, never key: a move changes the key. */
export const keys = {
  /** The link of one flow, keyed by its source issue. */
  link: (flowId: string, sourceIssueId: string) => ({ pk: `FLOW#${flowId}#S#${sourceIssueId}`, sk: 'LINK' }),
  /** Target issue → source issue of a flow, so events from the target side find their link. */
  targetPointer: (flowId: string, targetIssueId: string) => ({
    pk: `FLOW#${flowId}#T#${targetIssueId}`,
    sk: 'POINTER',
  }),
  /** Conflicts of a flow, newest last. */
  conflict: (flowId: string, at: number, sourceIssueId: string, field: string) => ({
    pk: `FLOW#${flowId}#CONFLICTS`,
    sk: `${new Date(at).toISOString()}#${sourceIssueId}#${field}`,
  }),
  /** When a flow was last swept: the next sweep looks back to it. */
  sweepMark: (flowId: string) => ({ pk: `FLOW#${flowId}#SWEEP`, sk: 'MARK' }),
  /** Deliveries already handled, kept beyond SQS's 5-minute deduplication window. */
  delivery: (id: string) => ({ pk: `DELIVERY#${id}`, sk: 'SEEN' }),
} as const;
