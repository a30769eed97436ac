import { AppError } from '../errors/app-error.ts';

export interface ConfigProblem {
  /** Key path inside the file, e.g. `connections[0].webhook.verify`. */
  readonly path: string;
  /** 1-based line in the file where the key (or its closest parent) sits, when known. */
  readonly line?: number;
  readonly message: string;
}

/** The configuration file is missing, unreadable or invalid. Never retryable: a human must fix the file. */
export class ConfigError extends AppError {
  readonly code = 'CONFIG_INVALID';
  readonly retryable = false;

  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
    options?: { cause?: unknown },
  ) {
    super(ConfigError.render(source, problems), options);
  }

  private static render(source: string, problems: readonly ConfigProblem[]): string {
    const lines = problems.map((p) => {
      const where = p.line === undefined ? p.path : `${p.path} (line ${p.line})`;
      return `  - ${where}: ${p.message}`;
    });
    return `Invalid jira-sync configuration in ${source}:\n${lines.join('\n')}`;
  }
}
