import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { dynamoDocumentClient } from '../aws/clients.ts';
import { StateUnavailable } from './errors.ts';
import { keys } from './table.ts';

const markSchema = z.object({ sweptAt: z.number().int().nonnegative() });

/** When each flow was last swept, so the next sweep looks back exactly that far (plus an overlap). */
export class SweepMarks {
  constructor(private readonly tableName: string) {}

  async get(flowId: string): Promise<number | undefined> {
    try {
      const out = await dynamoDocumentClient().send(
        new GetCommand({ TableName: this.tableName, Key: keys.sweepMark(flowId), ConsistentRead: true }),
      );
      const parsed = markSchema.safeParse(out.Item);
      return parsed.success ? parsed.data.sweptAt : undefined;
    } catch (cause) {
      throw new StateUnavailable(`state table: reading the sweep mark of ${flowId} failed`, { cause });
    }
  }

  async set(flowId: string, sweptAt: number): Promise<void> {
    try {
      await dynamoDocumentClient().send(
        new PutCommand({ TableName: this.tableName, Item: { ...keys.sweepMark(flowId), flowId, sweptAt } }),
      );
    } catch (cause) {
      throw new StateUnavailable(`state table: writing the sweep mark of ${flowId} failed`, { cause });
    }
  }
}
