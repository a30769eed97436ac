import { relative, resolve, sep } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../shared/config/config-error.ts';
import { type ConfigSource, DEFAULT_CONFIG_FILE, loadConfigSource } from '../shared/config/load.ts';
import { type ContextOptions, contextOptions } from './context.ts';
import { JiraSyncStack } from './jira-sync-stack.ts';

const app = new App();
const configFile: string =
  (app.node.tryGetContext('config') as string | undefined) ??
  process.env.JIRA_SYNC_CONFIG ??
  DEFAULT_CONFIG_FILE;

let loaded: ConfigSource;
try {
  loaded = loadConfigSource(configFile);
} catch (err) {
  // The message already names the file, the key and the line; a stack trace would only bury it.
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

let options: ContextOptions;
try {
  options = contextOptions((key) => app.node.tryGetContext(key));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

new JiraSyncStack(app, 'JiraSync', {
  ...options,
  description: 'jira-sync: Jira webhooks -> SQS FIFO -> sync worker -> Jira',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  config: loaded.config,
  bundledConfig: {
    // Relative, so the bundle (and its asset hash) does not depend on where the repository is checked out.
    source: relative(process.cwd(), resolve(configFile)).split(sep).join('/'),
    document: loaded.document,
  },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
