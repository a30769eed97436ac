import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { dynamoDocumentClient } from '../aws/clients.ts';
import { linkRecordSchema } from '../state/link-record.ts';
import { SweepMarks } from '../state/sweep-marks.ts';
import { keys } from '../state/table.ts';

/** A settled conflict as `LinkStore.recordConflict` stored it. */
export interface ConflictEntry {
  readonly at: number;
  readonly sourceIssueId: string;
  readonly targetIssueId: string;
  readonly field: string;
  readonly policy: string;
  readonly winner: string;
}

/** What the backfill summary needs from a link record. */
export interface LinkSummary {
  readonly sourceIssueId: string;
  readonly targetIssueId: string | undefined;
  readonly createdAt: number;
}

/**
 * Where a backfill got to, per flow: the `created` time of the last issue enqueued and the ids enqueued at
 * exactly that millisecond (issues created in the same instant), so a resumed search starts there and skips
 * only what was really sent.
 */
export const backfillProgressSchema = z.object({
  flowId: z.string(),
  /** The operator's extra `--jql` ('' for none): a resume must be the same backfill. */
  jql: z.string(),
  startedAt: z.number(),
  updatedAt: z.number(),
  lastCreated: z.number().optional(),
  tieIds: z.array(z.string()).default([]),
  enqueued: z.number().int().nonnegative(),
  done: z.boolean(),
  finishedAt: z.number().optional(),
});
export type BackfillProgress = z.infer<typeof backfillProgressSchema>;

/** The backfill progress item: one per flow, next to the flow's other items (`FLOW#<flow>#…`). */
export const backfillKey = (flowId: string) => ({ pk: `FLOW#${flowId}#BACKFILL`, sk: 'PROGRESS' });

export interface StatePort {
  conflicts(
    flowId: string,
    sinceMs: number,
    limit: number,
  ): Promise<{ readonly count: number; readonly recent: readonly ConflictEntry[] }>;
  sweepMark(flowId: string): Promise<number | undefined>;
  getBackfill(flowId: string): Promise<BackfillProgress | undefined>;
  putBackfill(progress: BackfillProgress): Promise<void>;
  deleteBackfill(flowId: string): Promise<void>;
  /** Link records of these source issues (missing ones are absent from the map). */
  links(flowId: string, sourceIssueIds: readonly string[]): Promise<Map<string, LinkSummary>>;
}

const conflictItemSchema = z.looseObject({
  at: z.number(),
  sourceIssueId: z.string(),
  targetIssueId: z.string(),
  field: z.string(),
  policy: z.string(),
  winner: z.string(),
});

/** The port over the shared DynamoDB document client and the state table's key layout. */
export function dynamoStatePort(tableName: string): StatePort {
  const db = () => dynamoDocumentClient();
  const marks = new SweepMarks(tableName);
  const conflictPk = (flowId: string) => keys.conflict(flowId, 0, '', '').pk;
  return {
    async conflicts(flowId, sinceMs, limit) {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db().send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk >= :since',
            ExpressionAttributeValues: {
              ':pk': conflictPk(flowId),
              ':since': new Date(sinceMs).toISOString(),
            },
            Select: 'COUNT',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      const recent = await db().send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': conflictPk(flowId), ':since': new Date(sinceMs).toISOString() },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return {
        count,
        recent: (recent.Items ?? []).flatMap((item) => {
          const parsed = conflictItemSchema.safeParse(item);
          return parsed.success ? [parsed.data] : [];
        }),
      };
    },
    sweepMark: (flowId) => marks.get(flowId),
    async getBackfill(flowId) {
      const out = await db().send(
        new GetCommand({ TableName: tableName, Key: backfillKey(flowId), ConsistentRead: true }),
      );
      if (!out.Item) return undefined;
      const parsed = backfillProgressSchema.safeParse(out.Item);
      return parsed.success ? parsed.data : undefined;
    },
    async putBackfill(progress) {
      await db().send(
        new PutCommand({ TableName: tableName, Item: { ...backfillKey(progress.flowId), ...progress } }),
      );
    },
    async deleteBackfill(flowId) {
      await db().send(new DeleteCommand({ TableName: tableName, Key: backfillKey(flowId) }));
    },
    async links(flowId, sourceIssueIds) {
      const found = new Map<string, LinkSummary>();
      const ids = [...new Set(sourceIssueIds)];
      for (let i = 0; i < ids.length; i += 100) {
        let request:
          | Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }>
          | undefined = {
          [tableName]: {
            Keys: ids.slice(i, i + 100).map((id) => keys.link(flowId, id)),
            ConsistentRead: true,
          },
        };
        for (let attempt = 0; request && attempt < 8; attempt++) {
          const out: BatchGetCommandOutput = await db().send(new BatchGetCommand({ RequestItems: request }));
          for (const item of out.Responses?.[tableName] ?? []) {
            const parsed = linkRecordSchema.safeParse(item);
            if (!parsed.success) continue;
            found.set(parsed.data.source.issueId, {
              sourceIssueId: parsed.data.source.issueId,
              targetIssueId: parsed.data.target?.issueId,
              createdAt: parsed.data.createdAt,
            });
          }
          const rest: { Keys?: Record<string, unknown>[] } | undefined = out.UnprocessedKeys?.[tableName];
          request =
            rest?.Keys && rest.Keys.length > 0
              ? { [tableName]: { Keys: rest.Keys, ConsistentRead: true } }
              : undefined;
          if (request) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        }
      }
      return found;
    },
  };
}
