import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';
import { SecretsFileError } from './local-errors.ts';

const fileSchema = z.record(z.string().min(1), z.string());

export interface SecretsFileSeed {
  /** Written only when the name is absent (first run), so local edits survive restarts. */
  readonly ifMissing?: Readonly<Record<string, string>>;
  /** Written on every start: values whose source of truth is elsewhere (e.g. an environment variable). */
  readonly always?: Readonly<Record<string, string>>;
}

/**
 * The local stand-in for Secrets Manager's storage: a JSON object `{ "<secret name>": "<value>" }` in a
 * git-ignored file. Writes go to a temp file renamed over the original, so a crash never leaves half a
 * file, and are serialised so concurrent PutSecretValue calls cannot interleave.
 */
export class SecretsFile {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly values: Map<string, string>,
  ) {}

  static async open(file: string, seed: SecretsFileSeed = {}): Promise<SecretsFile> {
    const values = await readValues(file);
    let changed = values === undefined;
    const map = new Map(Object.entries(values ?? {}));
    for (const [name, value] of Object.entries(seed.ifMissing ?? {})) {
      if (!map.has(name)) {
        map.set(name, value);
        changed = true;
      }
    }
    for (const [name, value] of Object.entries(seed.always ?? {})) {
      if (map.get(name) !== value) {
        map.set(name, value);
        changed = true;
      }
    }
    const store = new SecretsFile(file, map);
    if (changed) await store.flush();
    return store;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
    await this.flush();
  }

  private flush(): Promise<void> {
    const snapshot = `${JSON.stringify(Object.fromEntries(this.values), null, 2)}\n`;
    const next = this.writing.then(() => writeAtomically(this.file, snapshot));
    // Keep the chain alive after a failed write; the caller of this flush still sees the error.
    this.writing = next.catch(() => {});
    return next;
  }
}

async function readValues(file: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretsFileError(file, 'cannot be read', { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new SecretsFileError(file, 'is not valid JSON', { cause });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    // Name the keys only: the messages must not echo secret values.
    const where = parsed.error.issues.map((i) => (i.path.length ? i.path.join('.') : '(top level)'));
    throw new SecretsFileError(file, `must map secret names to string values (check ${where.join(', ')})`);
  }
  return parsed.data;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true });
    throw new SecretsFileError(file, 'cannot be written', { cause });
  }
}
