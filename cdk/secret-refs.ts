import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
// Secrets Manager appends "-" and six random characters to the name; an ARN ending that way is complete.
// A name that itself ends like that is misread as complete, which fails closed (access denied), never open.
const COMPLETE_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * Imports the Secrets Manager secrets the config names (by name, partial ARN or complete ARN) so that
 * `grantRead` covers exactly those secrets. Imports create no resources and never read a secret value.
 */
export class SecretRefs extends Construct {
  private readonly byRef = new Map<string, ISecret>();

  /** The secret a config reference points at; the same reference always yields the same import. */
  get(ref: string): ISecret {
    const known = this.byRef.get(ref);
    if (known) return known;
    const id = `Secret${this.byRef.size}`;
    const secret = ref.startsWith('arn:') ? this.fromArn(id, ref) : Secret.fromSecretNameV2(this, id, ref);
    this.byRef.set(ref, secret);
    return secret;
  }

  private fromArn(id: string, arn: string): ISecret {
    if (!SECRET_ARN.test(arn)) {
      throw new Error(
        `"${arn}" is not a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)`,
      );
    }
    // A partial ARN matches the secret only with the suffix wildcard, which fromSecretPartialArn adds.
    return COMPLETE_SUFFIX.test(arn)
      ? Secret.fromSecretCompleteArn(this, id, arn)
      : Secret.fromSecretPartialArn(this, id, arn);
  }
}

/** The distinct secrets among `refs`, in first-seen order. */
export function secretsFor(refs: SecretRefs, names: readonly string[]): ISecret[] {
  return [...new Set(names)].map((name) => refs.get(name));
}

/**
 * Lets `grantee` store new values of `secret` (PutSecretValue only: `grantWrite` would add UpdateSecret
 * and UpdateSecretVersionStage, which jira-sync never needs). The resource is the one `grantRead` uses:
 * the complete ARN when known, else the partial ARN with the random-suffix wildcard.
 */
export function grantPutSecretValue(secret: ISecret, grantee: IGrantable): Grant {
  return Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:PutSecretValue'],
    resourceArns: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  });
}
