import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { readBody } from './http-body.ts';
import { BodyTooLargeError } from './local-errors.ts';
import { listenOnLoopback } from './loopback-server.ts';
import { SecretsFile, type SecretsFileSeed } from './secrets-file.ts';

/**
 * A tiny Secrets Manager on 127.0.0.1 speaking the AWS JSON 1.1 protocol (`POST /`, `X-Amz-Target:
 * secretsmanager.<Operation>`), enough for the real `@aws-sdk/client-secrets-manager` client: no npm
 * emulator exists. Signatures are ignored (local only). Values never reach the log callback.
 */

export interface SecretsManagerServerOptions {
  /** JSON file holding `{ name: value }`; created on first run. */
  readonly file: string;
  readonly seed?: SecretsFileSeed;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly region?: string;
  readonly accountId?: string;
  readonly log?: (entry: SecretsAccessLogEntry) => void;
}

/** One handled request. Deliberately has no field that could carry a secret value. */
export interface SecretsAccessLogEntry {
  readonly operation: string;
  readonly secretName?: string;
  readonly status: number;
  readonly errorType?: string;
}

export interface SecretsManagerServer {
  readonly url: string;
  readonly port: number;
  readonly store: SecretsFile;
  /** Resolves a name or ARN the way the server does (for start-up checks); undefined when unknown. */
  resolveName(secretId: string): string | undefined;
  stop(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1024 * 1024;
const CURRENT = 'AWSCURRENT';

const secretId = z.string().min(1).max(2048);
const getSecretValueInput = z.looseObject({
  SecretId: secretId,
  VersionId: z.string().optional(),
  VersionStage: z.string().optional(),
});
const putSecretValueInput = z.looseObject({
  SecretId: secretId,
  ClientRequestToken: z.string().optional(),
  SecretString: z.string().optional(),
  SecretBinary: z.unknown().optional(),
});
const describeSecretInput = z.looseObject({ SecretId: secretId });
const createSecretInput = z.looseObject({
  Name: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/),
  ClientRequestToken: z.string().optional(),
  Description: z.string().optional(),
  SecretString: z.string().optional(),
  SecretBinary: z.unknown().optional(),
});

/** An AWS JSON-protocol error: `{"__type": ..., "message": ...}` with an HTTP status. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const notFound = () =>
  new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

export async function startSecretsManagerServer(
  options: SecretsManagerServerOptions,
): Promise<SecretsManagerServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const store = await SecretsFile.open(options.file, options.seed);
  const startedAt = Date.now();
  // The file holds values only; version ids and dates live for the life of the process.
  const versions = new Map<string, { versionId: string; changedAt: number }>();
  const versionOf = (name: string) => {
    let v = versions.get(name);
    if (!v) {
      v = { versionId: randomUUID(), changedAt: startedAt };
      versions.set(name, v);
    }
    return v;
  };

  const arnOf = (name: string) =>
    `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${arnSuffix(name)}`;

  const resolveName = (id: string): string | undefined => {
    if (store.has(id)) return id;
    const match = /^arn:aws[a-z-]*:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(id);
    const tail = match?.[1];
    if (tail === undefined) return undefined;
    if (store.has(tail)) return tail;
    // Full ARNs end in "-" plus six random characters that are not part of the name.
    const withoutSuffix = tail.replace(/-[A-Za-z0-9]{6}$/, '');
    return store.has(withoutSuffix) ? withoutSuffix : undefined;
  };

  const mustResolve = (id: string): string => {
    const name = resolveName(id);
    if (name === undefined) throw notFound();
    return name;
  };

  const seconds = (ms: number) => ms / 1000;

  const operations: Record<string, (input: unknown) => Promise<{ name?: string; output: object }>> = {
    GetSecretValue: async (input) => {
      const req = parse(getSecretValueInput, input);
      const name = mustResolve(req.SecretId);
      const version = versionOf(name);
      if (
        (req.VersionStage && req.VersionStage !== CURRENT) ||
        (req.VersionId && req.VersionId !== version.versionId)
      ) {
        throw new ServiceError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret value for the requested version (the local store keeps AWSCURRENT only).",
        );
      }
      return {
        name,
        output: {
          ARN: arnOf(name),
          Name: name,
          VersionId: version.versionId,
          SecretString: store.get(name),
          VersionStages: [CURRENT],
          CreatedDate: seconds(version.changedAt),
        },
      };
    },
    PutSecretValue: async (input) => {
      const req = parse(putSecretValueInput, input);
      const name = mustResolve(req.SecretId);
      const value = requireString(req.SecretString, req.SecretBinary);
      const current = versionOf(name);
      if (req.ClientRequestToken !== undefined && req.ClientRequestToken === current.versionId) {
        // Same token again: an SDK retry is fine, a different value under the same version is not.
        if (store.get(name) !== value) {
          throw new ServiceError(
            'ResourceExistsException',
            'A version with this ClientRequestToken already exists.',
          );
        }
      } else {
        await store.set(name, value);
        versions.set(name, { versionId: req.ClientRequestToken ?? randomUUID(), changedAt: Date.now() });
      }
      const version = versionOf(name);
      return {
        name,
        output: { ARN: arnOf(name), Name: name, VersionId: version.versionId, VersionStages: [CURRENT] },
      };
    },
    DescribeSecret: async (input) => {
      const req = parse(describeSecretInput, input);
      const name = mustResolve(req.SecretId);
      const version = versionOf(name);
      return {
        name,
        output: {
          ARN: arnOf(name),
          Name: name,
          CreatedDate: seconds(startedAt),
          LastChangedDate: seconds(version.changedAt),
          VersionIdsToStages: { [version.versionId]: [CURRENT] },
        },
      };
    },
    CreateSecret: async (input) => {
      const req = parse(createSecretInput, input);
      const value = requireString(req.SecretString, req.SecretBinary);
      if (store.has(req.Name)) {
        throw new ServiceError(
          'ResourceExistsException',
          `The operation failed because the secret ${req.Name} already exists.`,
        );
      }
      await store.set(req.Name, value);
      const versionId = req.ClientRequestToken ?? randomUUID();
      versions.set(req.Name, { versionId, changedAt: Date.now() });
      return { name: req.Name, output: { ARN: arnOf(req.Name), Name: req.Name, VersionId: versionId } };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target;
    let secretName: string | undefined;
    try {
      if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
        throw new ServiceError('UnknownOperationException', 'Only POST / is served', 404);
      }
      const run = operations[operation];
      if (!run || !target.startsWith('secretsmanager.')) {
        throw new ServiceError(
          'com.amazon.coral.service#UnknownOperationException',
          `Unknown operation ${target}`,
        );
      }
      const body = await readBody(req, MAX_REQUEST_BYTES);
      let input: unknown;
      try {
        input = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
      } catch {
        throw new ServiceError('SerializationException', 'The request body is not valid JSON');
      }
      secretName = requestedName(input);
      const result = await run(input);
      secretName = result.name ?? secretName;
      send(res, 200, result.output);
      options.log?.({ operation, status: 200, ...(secretName ? { secretName } : {}) });
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : error instanceof BodyTooLargeError
            ? new ServiceError('InvalidRequestException', 'Request too large', 413)
            : new ServiceError('InternalServiceError', 'Internal error in the local Secrets Manager', 500);
      send(res, failure.status, { __type: failure.type, message: failure.message });
      options.log?.({
        operation,
        status: failure.status,
        errorType: failure.type,
        ...(secretName ? { secretName } : {}),
      });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  const listener = await listenOnLoopback(server, options.port ?? 0);
  return {
    url: listener.url,
    port: listener.port,
    store,
    resolveName,
    stop: listener.stop,
  };
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = [...new Set(result.error.issues.map((i) => i.path.join('.') || '(body)'))];
  throw new ServiceError(
    'InvalidParameterException',
    `Invalid or missing parameter(s): ${fields.join(', ')}`,
  );
}

/** The secret a request is about (a name or ARN, never a value), for the access log. */
function requestedName(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { SecretId, Name } = input as { SecretId?: unknown; Name?: unknown };
  const id = SecretId ?? Name;
  return typeof id === 'string' ? id.slice(0, 2048) : undefined;
}

function requireString(secretString: string | undefined, secretBinary: unknown): string {
  if (secretString !== undefined) return secretString;
  if (secretBinary !== undefined) {
    throw new ServiceError(
      'InvalidParameterException',
      'The local Secrets Manager stores SecretString values only.',
    );
  }
  throw new ServiceError(
    'InvalidParameterException',
    'You must provide either SecretString or SecretBinary.',
  );
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** Stable stand-in for the six random characters AWS appends to secret ARNs. */
function arnSuffix(name: string): string {
  return createHash('sha256').update(name).digest('base64url').replace(/[-_]/g, 'x').slice(0, 6);
}
