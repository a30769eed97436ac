import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { JiraSyncStack } from '../../cdk/jira-sync-stack.ts';
import { loadConfigSource } from '../../shared/config/load.ts';

export const VALID_CONFIG = 'test/fixtures/config/valid.yaml';
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** An app that skips esbuild bundling: unit tests look at the template, not the code. */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** The jira-sync stack built from a fixture config, as `cdk/app.ts` builds it. */
export function buildStack(app: App = testApp(), configFile = VALID_CONFIG): JiraSyncStack {
  const { config, document } = loadConfigSource(configFile);
  return new JiraSyncStack(app, 'JiraSync', {
    env: { account: ACCOUNT, region: REGION },
    config,
    bundledConfig: { source: configFile, document },
  });
}

let shared: { stack: JiraSyncStack; template: Template } | undefined;

/** One synthesized stack shared by read-only template assertions (synth is the slow part). */
export function sharedStack(): { stack: JiraSyncStack; template: Template } {
  if (!shared) {
    const stack = buildStack();
    shared = { stack, template: Template.fromStack(stack) };
  }
  return shared;
}

/** Flattens `Fn::Join` / `Ref` the way IAM reads them: `arn:${AWS::Partition}:...`. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Ref' in obj) return `\${${String(obj.Ref)}}`;
    if ('Fn::GetAtt' in obj) return `\${${(obj['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
  }
  return JSON.stringify(value);
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** The Allow statements of every policy attached to `role`. */
export function allowStatements(template: Template, role: IConstruct): Statement[] {
  const roleId = logicalId(role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow');
}

/** Every resource string granted `action`, flattened. */
export function resourcesFor(statements: Statement[], action: string): string[] {
  return statements
    .filter((s) => [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(flatten))
    .sort();
}

/** The synthesized properties of the CloudFormation resource behind an L2 construct. */
export function cfnProperties(template: Template, construct: IConstruct): Record<string, unknown> {
  const cfn = (construct.node.defaultChild ?? construct) as CfnElement;
  const logicalId = Stack.of(construct).getLogicalId(cfn);
  return template.toJSON().Resources[logicalId].Properties;
}

/** The logical id of the CloudFormation resource behind an L2 construct. */
export function logicalId(construct: IConstruct): string {
  const cfn = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(cfn);
}
