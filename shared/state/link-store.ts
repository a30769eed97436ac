import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../aws/clients.ts';
import { CorruptStateItem, LinkBusy, LinkConflict, StateUnavailable } from './errors.ts';
import { type IssueSide, type LinkChanges, type LinkRecord, linkRecordSchema } from './link-record.ts';
import { keys, STATE_TABLE } from './table.ts';

export interface ConflictRecord {
  readonly flowId: string;
  readonly sourceIssueId: string;
  readonly targetIssueId: string;
  readonly field: string;
  readonly policy: string;
  readonly winner: 'source' | 'target';
  readonly sourceValue: unknown;
  readonly targetValue: unknown;
}

export interface LinkStoreOptions {
  readonly tableName: string;
  readonly now?: () => number;
}

export interface Lease {
  readonly owner: string;
  /** How long the lease lasts; keep it above the worker's timeout so a live worker never loses it. */
  readonly ms: number;
}

function parseLink(item: unknown, where: string): LinkRecord {
  const parsed = linkRecordSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw new CorruptStateItem(
    `state item ${where} is not a link record (${first?.path.join('.')}: ${first?.message})`,
    {
      cause: parsed.error,
    },
  );
}

async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw error;
    if (error instanceof CorruptStateItem) throw error;
    throw new StateUnavailable(`state table: ${what} failed`, { cause: error });
  }
}

/**
 * Link records in the state table. A reconcile holds the link's lease for its whole run, so two workers
 * (one woken by the source issue, one by the target issue) never write the same pair at once; every save
 * is conditional on the version read, so a stale plan can never overwrite a newer base.
 */
export class LinkStore {
  private readonly table: string;
  private readonly now: () => number;

  constructor(options: LinkStoreOptions) {
    this.table = options.tableName;
    this.now = options.now ?? Date.now;
  }

  /** Takes the lease on a link, creating the record on first sight of the source issue. */
  async acquire(flowId: string, source: IssueSide, lease: Lease): Promise<LinkRecord> {
    const key = keys.link(flowId, source.issueId);
    const now = this.now();
    try {
      const out = await guarded('acquire', () =>
        dynamoDocumentClient().send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression:
              'SET #lease = :lease, #flowId = if_not_exists(#flowId, :flowId), #source = :source, ' +
              '#base = if_not_exists(#base, :empty), #comments = if_not_exists(#comments, :none), ' +
              '#attachments = if_not_exists(#attachments, :none), #version = if_not_exists(#version, :zero), ' +
              '#createdAt = if_not_exists(#createdAt, :now), #updatedAt = if_not_exists(#updatedAt, :now)',
            ConditionExpression:
              'attribute_not_exists(#lease) OR #lease.#until < :now OR #lease.#owner = :owner',
            ExpressionAttributeNames: {
              '#lease': 'lease',
              '#until': 'until',
              '#owner': 'owner',
              '#flowId': 'flowId',
              '#source': 'source',
              '#base': 'base',
              '#comments': 'comments',
              '#attachments': 'attachments',
              '#version': 'version',
              '#createdAt': 'createdAt',
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':lease': { owner: lease.owner, until: now + lease.ms },
              ':flowId': flowId,
              ':source': source,
              ':empty': {},
              ':none': [],
              ':zero': 0,
              ':now': now,
              ':owner': lease.owner,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return parseLink(out.Attributes, key.pk);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new LinkBusy(`link ${flowId}/${source.issueId} is being reconciled by another worker`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * Writes changes to a link held under `lease`, if nobody changed it since `link` was read; optionally
   * releases the lease in the same write. Returns the stored record.
   */
  async save(
    link: LinkRecord,
    changes: LinkChanges,
    lease: Lease,
    options: { release?: boolean } = {},
  ): Promise<LinkRecord> {
    const { clearIntent, ...rest } = changes;
    const next: LinkRecord = {
      ...link,
      ...rest,
      version: link.version + 1,
      updatedAt: this.now(),
    };
    if (clearIntent) delete next.intent;
    if (options.release) delete next.lease;
    try {
      await guarded('save', () =>
        dynamoDocumentClient().send(
          new PutCommand({
            TableName: this.table,
            Item: next,
            ConditionExpression: '#version = :version AND #lease.#owner = :owner',
            ExpressionAttributeNames: { '#version': 'version', '#lease': 'lease', '#owner': 'owner' },
            ExpressionAttributeValues: { ':version': link.version, ':owner': lease.owner },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new LinkConflict(`link ${link.flowId}/${link.source.issueId} changed under this reconcile`, {
          cause: error,
        });
      }
      throw error;
    }
    return next;
  }

  /** Gives the lease back (a failed reconcile); a lease already lost is not an error. */
  async release(link: Pick<LinkRecord, 'flowId' | 'source'>, lease: Lease): Promise<void> {
    try {
      await guarded('release', () =>
        dynamoDocumentClient().send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.link(link.flowId, link.source.issueId),
            UpdateExpression: 'REMOVE #lease',
            ConditionExpression: '#lease.#owner = :owner',
            ExpressionAttributeNames: { '#lease': 'lease', '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': lease.owner },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The link a source issue belongs to, without taking the lease. */
  async get(flowId: string, sourceIssueId: string): Promise<LinkRecord | undefined> {
    const key = keys.link(flowId, sourceIssueId);
    const out = await guarded('get', () =>
      dynamoDocumentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
    );
    return out.Item === undefined ? undefined : parseLink(out.Item, key.pk);
  }

  /** Records which source issue a target issue mirrors (idempotent). */
  async pointTarget(flowId: string, target: IssueSide, source: IssueSide): Promise<void> {
    await guarded('pointTarget', () =>
      dynamoDocumentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.targetPointer(flowId, target.issueId),
            flowId,
            target,
            source,
            createdAt: this.now(),
          },
        }),
      ),
    );
  }

  /** The source issue a target issue mirrors, if it is linked in this flow. */
  async sourceOfTarget(flowId: string, targetIssueId: string): Promise<IssueSide | undefined> {
    const key = keys.targetPointer(flowId, targetIssueId);
    const out = await guarded('sourceOfTarget', () =>
      dynamoDocumentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
    );
    if (out.Item === undefined) return undefined;
    const parsed = linkRecordSchema.shape.source.safeParse(out.Item.source);
    if (!parsed.success)
      throw new CorruptStateItem(`state item ${key.pk} has no valid source`, { cause: parsed.error });
    return parsed.data;
  }

  /**
   * Records a settled conflict: who won and both values, kept for `conflictTtlDays` for `jira-sync status`
   * and audits.
   */
  async recordConflict(conflict: ConflictRecord, conflictTtlDays = 30): Promise<void> {
    const at = this.now();
    await guarded('recordConflict', () =>
      dynamoDocumentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.conflict(conflict.flowId, at, conflict.sourceIssueId, conflict.field),
            ...conflict,
            at,
            [STATE_TABLE.ttlAttribute]: Math.floor(at / 1000) + conflictTtlDays * 86_400,
          },
        }),
      ),
    );
  }

  /** Forgets a pointer (the target issue was deleted). */
  async unpointTarget(flowId: string, targetIssueId: string): Promise<void> {
    await guarded('unpointTarget', () =>
      dynamoDocumentClient().send(
        new DeleteCommand({ TableName: this.table, Key: keys.targetPointer(flowId, targetIssueId) }),
      ),
    );
  }
}
