import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type SecretsAccessLogEntry,
  type SecretsManagerServer,
  startSecretsManagerServer,
} from '../../local/secrets-manager-server.ts';
import { secretsManagerSecretStore } from '../../shared/jira/auth/secret-store.ts';
import { FakeClock } from '../helpers/jira-client.ts';

const NAME = 'jira-sync/acme/auth';
let server: SecretsManagerServer;
let sdk: SecretsManagerClient;
let dir: string;
const log: SecretsAccessLogEntry[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jira-sync-secret-store-'));
  server = await startSecretsManagerServer({
    file: join(dir, 'secrets.json'),
    seed: { ifMissing: { [NAME]: '{"token":"v1"}' } },
    log: (entry) => log.push(entry),
  });
  sdk = new SecretsManagerClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

beforeEach(async () => {
  await sdk.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: '{"token":"v1"}' }));
  log.length = 0;
});

afterAll(async () => {
  sdk.destroy();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const gets = () => log.filter((e) => e.operation === 'GetSecretValue').length;

describe('Secrets Manager store for Jira credentials', () => {
  it('serves a value from its cache until the TTL passes', async () => {
    const clock = new FakeClock();
    const store = secretsManagerSecretStore({ ttlMs: 300_000, client: sdk, clock });

    await store.read(NAME);
    await sdk.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: '{"token":"v2"}' }));
    const cached = await store.read(NAME);
    clock.time += 300_000;
    const refreshed = await store.read(NAME);

    expect([cached, refreshed]).toEqual(['{"token":"v1"}', '{"token":"v2"}']);
    expect(gets()).toBe(2);
  });

  it('skips the cache for a fresh read (after a 401)', async () => {
    const store = secretsManagerSecretStore({ ttlMs: 300_000, client: sdk });

    await store.read(NAME);
    await sdk.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: '{"token":"rotated"}' }));

    expect(await store.read(NAME, { fresh: true })).toBe('{"token":"rotated"}');
  });

  it('asks Secrets Manager once for concurrent reads of one secret', async () => {
    const store = secretsManagerSecretStore({ ttlMs: 300_000, client: sdk });

    await Promise.all(Array.from({ length: 8 }, () => store.read(NAME)));

    expect(gets()).toBe(1);
  });

  it('stores a new value with PutSecretValue and serves it from the cache', async () => {
    const store = secretsManagerSecretStore({ ttlMs: 300_000, client: sdk });

    await store.write(NAME, '{"token":"written"}');

    expect(await store.read(NAME)).toBe('{"token":"written"}');
    expect(server.store.get(NAME)).toBe('{"token":"written"}');
    expect(log.map((e) => e.operation)).toEqual(['PutSecretValue']);
  });
});
