import type { SecretStore } from '../../shared/jira/auth/secret-store.ts';

/**
 * An in-memory secret store that caches like the real one (until a `fresh` read) and counts reads and
 * writes. `set` changes the stored value behind the cache, as a rotation in Secrets Manager would;
 * `failWrites` / `failReads` simulate an outage.
 */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  private readonly cache = new Map<string, string>();
  reads = 0;
  freshReads = 0;
  writes = 0;
  failWrites = false;
  failReads: Error | undefined;

  constructor(initial: Record<string, unknown> = {}) {
    for (const [name, value] of Object.entries(initial)) this.set(name, value);
  }

  set(name: string, value: unknown): void {
    this.values.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }

  json(name: string): Record<string, unknown> {
    return JSON.parse(this.values.get(name) ?? 'null') as Record<string, unknown>;
  }

  async read(secretId: string, options?: { readonly fresh?: boolean }): Promise<string> {
    if (this.failReads) throw this.failReads;
    const cached = this.cache.get(secretId);
    if (cached !== undefined && !options?.fresh) return cached;
    this.reads++;
    if (options?.fresh) this.freshReads++;
    const value = this.values.get(secretId);
    if (value === undefined) {
      const error = new Error("Secrets Manager can't find the specified secret.");
      error.name = 'ResourceNotFoundException';
      throw error;
    }
    this.cache.set(secretId, value);
    return value;
  }

  async write(secretId: string, value: string): Promise<void> {
    if (this.failWrites) throw new Error('Secrets Manager is unavailable');
    this.writes++;
    this.values.set(secretId, value);
    this.cache.set(secretId, value);
  }
}
