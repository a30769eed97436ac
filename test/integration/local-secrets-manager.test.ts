import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsFileError } from '../../local/local-errors.ts';
import {
  type SecretsAccessLogEntry,
  type SecretsManagerServer,
  startSecretsManagerServer,
} from '../../local/secrets-manager-server.ts';

const WEBHOOK = 'jira-sync/demo-cloud/webhook';
const WEBHOOK_VALUE = 'hmac-value-never-logged';

describe('local Secrets Manager server', () => {
  let dir: string;
  let file: string;
  let server: SecretsManagerServer;
  let client: SecretsManagerClient;
  let log: SecretsAccessLogEntry[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jira-sync-secrets-'));
    file = join(dir, 'nested', 'secrets.json');
    log = [];
    server = await startSecretsManagerServer({
      file,
      seed: { ifMissing: { [WEBHOOK]: WEBHOOK_VALUE } },
      log: (entry) => log.push(entry),
    });
    client = new SecretsManagerClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterEach(async () => {
    client.destroy();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file with the seed values on first run', async () => {
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ [WEBHOOK]: WEBHOOK_VALUE });
  });

  it('round-trips GetSecretValue / PutSecretValue with the real SDK client', async () => {
    const before = await client.send(new GetSecretValueCommand({ SecretId: WEBHOOK }));
    const put = await client.send(new PutSecretValueCommand({ SecretId: WEBHOOK, SecretString: 'rotated' }));
    const after = await client.send(new GetSecretValueCommand({ SecretId: WEBHOOK }));

    expect(before).toMatchObject({
      Name: WEBHOOK,
      SecretString: WEBHOOK_VALUE,
      VersionStages: ['AWSCURRENT'],
    });
    expect(before.CreatedDate).toBeInstanceOf(Date);
    expect(put.VersionId).toEqual(after.VersionId);
    expect(after.VersionId).not.toEqual(before.VersionId);
    expect(after.SecretString).toBe('rotated');
  });

  it('finds a secret by full ARN (with the random suffix) and by partial ARN', async () => {
    const { ARN } = await client.send(new DescribeSecretCommand({ SecretId: WEBHOOK }));
    const partial = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${WEBHOOK}`;

    const byArn = await client.send(new GetSecretValueCommand({ SecretId: ARN }));
    const byPartial = await client.send(new GetSecretValueCommand({ SecretId: partial }));

    expect(ARN).toMatch(new RegExp(`:secret:${WEBHOOK}-[A-Za-z0-9]{6}$`));
    expect(byArn.SecretString).toBe(WEBHOOK_VALUE);
    expect(byPartial.SecretString).toBe(WEBHOOK_VALUE);
  });

  it('surfaces a missing secret as the SDK ResourceNotFoundException', async () => {
    const error = await client.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  });

  it('creates secrets and refuses to create one twice', async () => {
    await client.send(new CreateSecretCommand({ Name: 'jira-sync/new', SecretString: '{"token":"t"}' }));
    const again = await client
      .send(new CreateSecretCommand({ Name: 'jira-sync/new', SecretString: 'x' }))
      .catch((e: unknown) => e);

    const got = await client.send(new GetSecretValueCommand({ SecretId: 'jira-sync/new' }));
    expect(got.SecretString).toBe('{"token":"t"}');
    expect(again).toBeInstanceOf(ResourceExistsException);
  });

  it('answers other operations with UnknownOperationException', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.DeleteSecret',
      },
      body: JSON.stringify({ SecretId: WEBHOOK }),
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: expect.stringMatching(/UnknownOperationException$/) });
  });

  it('rejects invalid input as InvalidParameterException', async () => {
    const error = await client
      .send(new GetSecretValueCommand({ SecretId: undefined as unknown as string }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretsManagerServiceException);
    expect(error).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('persists PutSecretValue to the file and serves it after a restart', async () => {
    await client.send(new PutSecretValueCommand({ SecretId: WEBHOOK, SecretString: 'persisted' }));
    await server.stop();
    server = await startSecretsManagerServer({ file, seed: { ifMissing: { [WEBHOOK]: 'seed-ignored' } } });
    client.destroy();
    client = new SecretsManagerClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    const got = await client.send(new GetSecretValueCommand({ SecretId: WEBHOOK }));

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ [WEBHOOK]: 'persisted' });
    expect(got.SecretString).toBe('persisted');
  });

  it('never logs secret values', async () => {
    await client.send(new GetSecretValueCommand({ SecretId: WEBHOOK }));
    await client.send(
      new PutSecretValueCommand({ SecretId: WEBHOOK, SecretString: 'new-value-never-logged' }),
    );
    await client.send(new GetSecretValueCommand({ SecretId: 'missing' })).catch(() => {});

    const text = JSON.stringify(log);
    expect(log.map((e) => [e.operation, e.status])).toEqual([
      ['GetSecretValue', 200],
      ['PutSecretValue', 200],
      ['GetSecretValue', 400],
    ]);
    expect(text).not.toContain(WEBHOOK_VALUE);
    expect(text).not.toContain('new-value-never-logged');
  });

  it('refuses a malformed secrets file without echoing its values', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ok: 'x', broken: { leaked: 'top-secret' } }));

    const error = await startSecretsManagerServer({ file: bad }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretsFileError);
    expect((error as Error).message).toContain('broken');
    expect((error as Error).message).not.toContain('top-secret');
  });
});
