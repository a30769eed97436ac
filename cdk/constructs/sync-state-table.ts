import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { STATE_TABLE } from '../../shared/state/table.ts';

export interface SyncStateTableProps {
  /**
   * What `cdk destroy` (or removing the table from the stack) does with the table. RETAIN keeps the table
   * with deletion protection on: losing the links would make the next sync create every target issue again.
   * DESTROY turns deletion protection off and deletes the table with the stack (test stacks).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /**
   * A customer managed KMS key for the table. Without one the table uses the AWS managed key
   * (`aws/dynamodb`): no key to administer, no monthly key fee, and its use is visible in CloudTrail.
   * @default - the AWS managed key aws/dynamodb
   */
  readonly encryptionKey?: IKey;
  /**
   * How far back point-in-time recovery can restore (1-35 days).
   * @default 35
   */
  readonly recoveryPeriodDays?: number;
}

/** The actions `shared/state/` uses: single-item reads and writes and queries, no scans or batches. */
const STATE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

/**
 * The sync state (links, bases, sweep marks, conflicts): one on-demand DynamoDB table keyed `pk`/`sk` with
 * a TTL attribute, encrypted, with point-in-time recovery, and retained on stack deletion by default.
 */
export class SyncStateTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: SyncStateTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const recoveryPeriodDays = props.recoveryPeriodDays ?? 35;
    if (!Number.isInteger(recoveryPeriodDays) || recoveryPeriodDays < 1 || recoveryPeriodDays > 35) {
      throw new Error(
        `${this.node.path}: recoveryPeriodDays must be a whole number from 1 to 35 (got ${recoveryPeriodDays})`,
      );
    }
    if (removalPolicy !== RemovalPolicy.RETAIN && removalPolicy !== RemovalPolicy.DESTROY) {
      throw new Error(
        `${this.node.path}: removalPolicy must be RETAIN or DESTROY (got ${String(removalPolicy)})`,
      );
    }
    const retain = removalPolicy === RemovalPolicy.RETAIN;

    this.table = new Table(this, 'Table', {
      partitionKey: { name: STATE_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: STATE_TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: STATE_TABLE.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: recoveryPeriodDays,
      },
      ...(props.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      deletionProtection: retain,
      removalPolicy,
    });
  }

  /** Read and write items of this table only (and use its key, when it has a customer managed one). */
  grantStateAccess(grantee: IGrantable): Grant {
    this.table.encryptionKey?.grantEncryptDecrypt(grantee);
    return this.table.grant(grantee, ...STATE_ACTIONS);
  }
}
