import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.ts';
import type { Config, Connection } from '../config/schema.ts';
import { type SecretStore, secretsManagerSecretStore } from '../jira/auth/secret-store.ts';
import { type JiraClient, type JiraClientOptions, jiraClients } from '../jira/client.ts';
import { CliFailure, type GlobalOptions } from './args.ts';
import type { Output } from './output.ts';
import { type QueuePort, sqsQueuePort } from './queue.ts';
import { defaultQueueAgePort, type QueueAgePort } from './queue-age.ts';
import { dynamoStatePort, type StatePort } from './state.ts';
import type { Deployment } from './target.ts';

/** Everything a command may use. Built per run by `runCli`; tests pass fakes or the local stack's. */
export interface CliContext {
  readonly out: Output;
  readonly json: boolean;
  readonly global: GlobalOptions;
  /** The configuration (loaded once): `--config`, the local stack's, `JIRA_SYNC_CONFIG` or the default file. */
  config(): Promise<Config>;
  /** The deployment named by `--local` / `--stack`; a clear failure when none was named. */
  deployment(): Promise<Deployment>;
  /** The same, or undefined when no target was named (doctor works without one). */
  maybeDeployment(): Promise<Deployment | undefined>;
  /** The Jira client of a connection: credentials from Secrets Manager, paced, values redacted from output. */
  jira(connection: Connection): JiraClient;
  /** Reads secrets (webhook secrets for doctor and webhooks); every value read is redacted from output. */
  readonly secrets: SecretStore;
  readonly queue: QueuePort;
  /** The main queue's oldest message age: fauxqs inspection (--local) or CloudWatch (--stack). */
  readonly queueAge: QueueAgePort;
  state(tableName: string): StatePort;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Aborted on Ctrl-C: long commands save their progress and stop. */
  readonly signal: AbortSignal | undefined;
  readonly fetch: typeof fetch;
}

/** What `runCli` needs from the outside world; everything has a real default except output. */
export interface CliDeps {
  readonly output: (global: GlobalOptions) => Output;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolves `--local` / `--stack` (the bin's default reads `.local/stack.json` or CloudFormation). */
  readonly resolveTarget?: (global: GlobalOptions) => Promise<Deployment | undefined>;
  readonly jiraOptions?: JiraClientOptions;
  readonly secrets?: SecretStore;
  readonly queue?: QueuePort;
  readonly queueAge?: QueueAgePort;
  readonly state?: (tableName: string) => StatePort;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

/** The CLI talks to Jira like the worker, but a person is waiting: give up sooner on a dead site. */
const CLI_JIRA_OPTIONS: JiraClientOptions = { timeoutMs: 10_000, maxRetryWaitMs: 15_000 };

/** A secret store that tells the redactor every value it hands out. */
export function redactingSecretStore(store: SecretStore, out: Pick<Output, 'redactor'>): SecretStore {
  return {
    async read(secretId, options) {
      const value = await store.read(secretId, options);
      out.redactor.add(value);
      return value;
    },
    async write(secretId, value) {
      out.redactor.add(value);
      await store.write(secretId, value);
    },
  };
}

export function createContext(global: GlobalOptions, deps: CliDeps): CliContext {
  const out = deps.output(global);
  const cwd = deps.cwd ?? process.cwd();
  const env = deps.env ?? process.env;
  const secrets = redactingSecretStore(deps.secrets ?? secretsManagerSecretStore({ ttlMs: 300_000 }), out);
  let clients: ((connection: Connection) => JiraClient) | undefined;
  let target: Promise<Deployment | undefined> | undefined;
  let config: Promise<Config> | undefined;
  const maybeDeployment = () => {
    target ??= deps.resolveTarget ? deps.resolveTarget(global) : Promise.resolve(undefined);
    return target;
  };
  const sleep =
    deps.sleep ??
    ((ms: number) =>
      new Promise<void>((done) => {
        const timer = setTimeout(done, ms);
        deps.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            done();
          },
          { once: true },
        );
      }));
  return {
    out,
    json: global.json,
    global,
    secrets,
    queue: deps.queue ?? sqsQueuePort(),
    queueAge: deps.queueAge ?? defaultQueueAgePort({ fetch: deps.fetch ?? fetch, now: deps.now ?? Date.now }),
    state: deps.state ?? dynamoStatePort,
    now: deps.now ?? Date.now,
    sleep,
    signal: deps.signal,
    fetch: deps.fetch ?? fetch,
    maybeDeployment,
    async deployment() {
      const found = await maybeDeployment();
      if (!found) {
        throw new CliFailure(
          'say which deployment: --local (the running npm start) or --stack <name> --region <region>',
        );
      }
      return found;
    },
    config() {
      config ??= maybeDeployment().then((deployment) => {
        const file = global.config
          ? resolve(cwd, global.config)
          : (deployment?.configPath ??
            (env.JIRA_SYNC_CONFIG ? resolve(cwd, env.JIRA_SYNC_CONFIG) : resolve(cwd, DEFAULT_CONFIG_FILE)));
        if (!existsSync(file)) {
          throw new CliFailure(
            `no configuration: ${file} does not exist (pass --config <file> or set JIRA_SYNC_CONFIG)`,
          );
        }
        try {
          return loadConfigFile(file);
        } catch (error) {
          if (error instanceof ConfigError) {
            const [first, ...more] = error.problems;
            const where = first?.line === undefined ? first?.path : `${first.path} (line ${first.line})`;
            throw new CliFailure(
              `invalid configuration in ${file}: ${where}: ${first?.message}${more.length > 0 ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''})` : ''}`,
              { cause: error },
            );
          }
          throw error;
        }
      });
      return config;
    },
    jira(connection) {
      clients ??= jiraClients({ ...CLI_JIRA_OPTIONS, ...deps.jiraOptions, secrets });
      return clients(connection);
    },
  };
}
