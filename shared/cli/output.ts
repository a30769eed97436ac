/**
 * Where the CLI prints. Commands never touch `process.stdout` directly: they get an `Output`, so tests
 * capture everything a command says, and every line passes through the redactor on its way out (secret
 * values the CLI has read, and `?token=` URL parameters, never reach a terminal or a log file).
 */

export interface Output {
  /** A line (or lines) on stdout. */
  line(text?: string): void;
  /** A line on stderr: errors, warnings, progress that must not pollute `--json` output. */
  error(text: string): void;
  /**
   * A transient status line (progress): rewritten in place on a TTY, silent otherwise so logs and pipes
   * stay clean. `undefined` clears it.
   */
  status(text: string | undefined): void;
  /** Colours and progress are for terminals only. */
  readonly color: boolean;
  readonly interactive: boolean;
  readonly redactor: Redactor;
}

/** Masks secret values the CLI has seen (credentials it read to call Jira, webhook secrets). */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remembers a value to mask; JSON objects are walked so each string field is masked on its own too. */
  add(value: string | undefined): void {
    if (value === undefined) return;
    const trimmed = value.trim();
    // Short values would mask ordinary words; real secrets are longer than this.
    if (trimmed.length >= 6) {
      this.secrets.add(trimmed);
      this.secrets.add(encodeURIComponent(trimmed));
    }
    if (trimmed.startsWith('{')) {
      try {
        collectStrings(JSON.parse(trimmed), (s) => this.add(s));
      } catch {
        // Not JSON: the whole value is already masked.
      }
    }
  }

  redact(text: string): string {
    let out = text.replace(/([?&]token=)[^&\s"'<>]+/gi, '$1***');
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return out;
  }
}

function collectStrings(value: unknown, found: (s: string) => void): void {
  if (typeof value === 'string') found(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, found);
}

export interface StreamLike {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface OutputOptions {
  readonly stdout: StreamLike;
  readonly stderr: StreamLike;
  /** `NO_COLOR` / `FORCE_COLOR` are read from here. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--no-color`. */
  readonly noColor?: boolean;
  readonly redactor?: Redactor;
}

/** An `Output` over two streams: colour only when stdout is a TTY and neither NO_COLOR nor --no-color says no. */
export function streamOutput(options: OutputOptions): Output {
  const env = options.env ?? {};
  const tty = options.stdout.isTTY === true;
  const color =
    !options.noColor &&
    (env.NO_COLOR === undefined || env.NO_COLOR === '') &&
    (tty || (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'));
  const redactor = options.redactor ?? new Redactor();
  const interactive = options.stderr.isTTY === true;
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) options.stderr.write('\r\x1b[2K');
    statusShown = false;
  };
  return {
    color,
    interactive,
    redactor,
    line(text = '') {
      clearStatus();
      options.stdout.write(`${redactor.redact(text)}\n`);
    },
    error(text) {
      clearStatus();
      options.stderr.write(`${redactor.redact(text)}\n`);
    },
    status(text) {
      if (!interactive) return;
      clearStatus();
      if (text === undefined) return;
      options.stderr.write(redactor.redact(text));
      statusShown = true;
    },
  };
}

/** Captures output (tests, and commands that print JSON built from others). */
export function memoryOutput(options: { color?: boolean; interactive?: boolean } = {}): Output & {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly statuses: string[];
  text(): string;
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const statuses: string[] = [];
  const redactor = new Redactor();
  return {
    color: options.color ?? false,
    interactive: options.interactive ?? false,
    redactor,
    stdout,
    stderr,
    statuses,
    line: (text = '') => stdout.push(redactor.redact(text)),
    error: (text) => stderr.push(redactor.redact(text)),
    status: (text) => {
      if (options.interactive && text !== undefined) statuses.push(redactor.redact(text));
    },
    text: () => [...stdout, ...stderr, ...statuses].join('\n'),
  };
}

const CODES = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
} as const;

export type Paint = Record<keyof typeof CODES, (text: string) => string>;

/** ANSI colours when the output wants them, identity functions otherwise. */
export function paint(output: Pick<Output, 'color'>): Paint {
  const entries = Object.entries(CODES).map(([name, [open, close]]) => [
    name,
    output.color ? (text: string) => `\x1b[${open}m${text}\x1b[${close}m` : (text: string) => text,
  ]);
  return Object.fromEntries(entries) as Paint;
}

/** "3 min ago", "2 h ago": ages for people. */
export function formatAge(ms: number): string {
  if (ms < 0) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}
